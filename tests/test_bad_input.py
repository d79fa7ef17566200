"""Bad input gets a clear message and loses nothing already archived."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
import sqlite_utils
from conftest import Crawl, run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def archive_snapshot(archive: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(archive.glob("*.warc.gz"))}


def test_malformed_sources_file_is_refused_with_the_field_named(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - id: x\n    agency: 某局\n    family: joomla\n    start_urls: [http://a/]\n"
    )
    result = run_nianbao(
        "crawl",
        "--sources",
        str(sources),
        "--db",
        str(tmp_path / "n.db"),
        "--archive",
        str(tmp_path / "a"),
        check=False,
    )
    assert result.returncode != 0
    assert "'family' must be one of" in result.stderr and "sources.yaml" in result.stderr
    assert not (tmp_path / "n.db").exists()


def test_unreachable_start_url_is_named_and_keeps_the_archive(
    seed_crawl: Crawl, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(seed_crawl.archive, archive)
    before = archive_snapshot(archive)
    db = tmp_path / "n.db"
    shutil.copy(seed_crawl.db, db)
    reports_before = sqlite_utils.Database(db)["reports"].count
    port = closed_port()
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - id: gone\n    agency: 不存在的局\n    family: plain\n"
        f"    start_urls: [http://127.0.0.1:{port}/]\n    allow_private: true\n",
        encoding="utf-8",
    )
    result = run_nianbao(
        "crawl",
        "--sources",
        str(sources),
        "--db",
        str(db),
        "--archive",
        str(archive),
        "--log-level",
        "ERROR",
        check=False,
    )
    assert result.returncode != 0
    assert "gone (broken: nothing could be fetched)" in result.stderr
    # Under cron (no terminal) the run table is printed only when something failed: now.
    assert "crawl run " in result.stdout and "gone" in result.stdout
    after = archive_snapshot(archive)
    assert all(after[name] == data for name, data in before.items())
    assert sqlite_utils.Database(db)["reports"].count == reports_before
    failures = list(
        sqlite_utils.Database(db).query("select reason from pages where source_id = 'gone'")
    )
    assert failures and all(
        "Connection" in row["reason"] or "refused" in row["reason"] for row in failures
    )


def test_page_that_is_not_a_report_is_recorded_as_such(tmp_path: Path) -> None:
    page = tmp_path / "guide.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>洛阳市民政局政府信息公开指南</title></head>"
        "<body><h1>洛阳市民政局政府信息公开指南</h1><p>为了更好地提供政府信息公开服务，特编制本指南。</p></body></html>",
        encoding="utf-8",
    )
    result = run_nianbao("extract", str(page), "--json")
    import json

    report = json.loads(result.stdout)
    assert report["status"] == "not_report"
    assert report["doc_type"] == "other"
    assert report["metrics"] == {}


def test_corrupt_warc_file_is_reported_and_the_rest_rebuilt(
    seed_crawl: Crawl, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(seed_crawl.archive, archive)
    (archive / "nianbao-19990101T000000-1-00000.warc.gz").write_bytes(
        b"\x1f\x8b\x08 this is not a warc"
    )
    db = tmp_path / "rebuilt.db"
    result = run_nianbao("rebuild", "--archive", str(archive), "--db", str(db), "--no-progress")
    assert "nianbao-19990101T000000-1-00000.warc.gz" in result.stderr
    crawled = sqlite_utils.Database(seed_crawl.db)
    rebuilt = sqlite_utils.Database(db)
    assert rebuilt["reports"].count == crawled["reports"].count
    assert rebuilt["metrics"].count == crawled["metrics"].count


def test_rebuild_without_an_archive_says_so(tmp_path: Path) -> None:
    result = run_nianbao(
        "rebuild", "--archive", str(tmp_path / "none"), "--db", str(tmp_path / "n.db"), check=False
    )
    assert result.returncode != 0 and "no archive directory" in result.stderr
