"""`nianbao serve --db ANY/PATH.db` publishes the database with the whole configuration (issue 20):
Datasette names a database after its file, and the descriptions, canned queries, dashboard and
report page are written for one named "nianbao", so a file called anything else is served through
a link of that name. Served for real, by the command, over HTTP.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from conftest import ROOT, Crawl, free_port

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

DESCRIPTION = "Disclosure annual reports and their statistics"  # datasette/metadata.yml


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def served(
    seed_crawl: Crawl, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The seed crawl's database copied to `research/a.db` and served by `nianbao serve`."""
    db = tmp_path_factory.mktemp("any-name") / "research" / "a.db"
    db.parent.mkdir()
    shutil.copy(seed_crawl.db, db)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(base + "/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "Datasette did not come up"
            time.sleep(0.2)
        yield base, db
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_database_not_called_nianbao_gets_its_descriptions(served: tuple[str, Path]) -> None:
    base, _ = served
    status, page = _get(base + "/nianbao")
    assert status == 200 and DESCRIPTION in page


def test_a_database_not_called_nianbao_gets_the_canned_queries(served: tuple[str, Path]) -> None:
    base, db = served
    status, page = _get(base + "/nianbao/search?q=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A")
    assert status == 200 and "全文搜索报告" in page
    found = sqlite_utils.Database(db).execute("select count(*) from reports").fetchone()[0]
    assert found > 0


def test_a_database_not_called_nianbao_gets_the_dashboard_and_report_page(
    served: tuple[str, Path],
) -> None:
    base, db = served
    assert _get(base + "/-/dashboards/overview")[0] == 200
    report_id = sqlite_utils.Database(db).execute("select id from reports limit 1").fetchone()[0]
    status, page = _get(f"{base}/-/report/{report_id}")
    assert status == 200 and report_id in page


def test_the_download_keeps_a_sensible_name(served: tuple[str, Path]) -> None:
    base, db = served
    with urllib.request.urlopen(base + "/nianbao.db", timeout=30) as response:
        assert response.status == 200
        assert response.read(16) == b"SQLite format 3\x00"
    assert db.is_file() and not db.is_symlink()  # the user's file itself is left as it was
