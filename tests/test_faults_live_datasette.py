"""Datasette reading a database while a crawl writes it (`nianbao serve --live`): no errors, no locks.

A crawl of the sample portal runs slowly (DOWNLOAD_DELAY) while the test polls Datasette's table
pages, a SQL query and the JSON API again and again: every answer is 200 (or a 404 for a view the
crawl has not created yet), none mentions a locked database, and the crawl finishes cleanly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import NIANBAO, ROOT, free_port

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

PATHS = (
    "/nianbao",
    "/nianbao/reports",
    "/nianbao/pages?_sort_desc=fetched_at",
    "/nianbao/metrics.json?_size=100",
    "/nianbao.json?sql=" + quote("select count(*) n from reports"),
    "/nianbao.json?sql=" + quote("select key, sum(value) from metrics group by key"),
)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_live_datasette_serves_a_database_being_crawled_without_errors(tmp_path: Path) -> None:
    from portal.server import SamplePortal

    db = tmp_path / "nianbao.db"
    with SamplePortal(synthetic=45, seed=12, include_seeds=False) as portal:
        portal.write_sources(tmp_path / "sources.yaml")
        crawl = subprocess.Popen(
            [*NIANBAO, "crawl", "--sources", str(tmp_path / "sources.yaml"), "--db", str(db),
             "--archive", str(tmp_path / "archive"), "--log-level", "WARNING",
             "-s", "DOWNLOAD_DELAY=0.15"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not db.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", "serve", "--live", "--db", str(db),
             "--port", str(port)],
            # Its output to a file: an unread pipe fills up and stalls the server.
            cwd=ROOT, stdout=(tmp_path / "serve.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        answers: list[tuple[str, int, str]] = []
        counts: list[int] = []
        try:
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            while crawl.poll() is None:
                for path in PATHS:
                    status, body = _get(base + path)
                    answers.append((path, status, body))
                    if path.startswith("/nianbao.json?sql=" + quote("select count")):
                        counts.append(json.loads(body)["rows"][0][0])
            stdout, stderr = crawl.communicate(timeout=60)
            status, body = _get(base + PATHS[4])
            final = json.loads(body)["rows"][0][0]
        finally:
            server.terminate()
            server.wait(timeout=10)
            if crawl.poll() is None:
                crawl.kill()

    assert len(answers) >= 3 * len(PATHS), "the crawl ended before Datasette was polled"
    bad = [(p, s) for p, s, _ in answers if s != 200]
    assert not bad, bad[:5]
    assert not [p for p, _, body in answers if "locked" in body.lower()]
    assert counts == sorted(counts) and final >= counts[-1] and final > counts[0]
    assert crawl.returncode == 0 and "locked" not in stderr.lower(), stderr[-2000:]
