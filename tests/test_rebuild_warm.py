"""A rebuild with the extraction cache warm gives the database a cold one gives, table for table and
row for row (rowids included), and both equal what the crawl stored document by document: new
reports, a report fetched again with new content, one fetched again unchanged, one withdrawn."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from test_load import seed_bodies
from test_rebuild import SOURCE, FakeCrawl, rows

from archive.rebuild import rebuild
from archive.schema import open_db
from archive.store import store_source
from pipeline.extraction.outcome import process_fetched

# Run-dependent: when each migration was applied to this database file.
RUN_DEPENDENT = {"_migrations"}


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows with their rowids (full-text index internals left out)."""
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and name not in RUN_DEPENDENT and "_fts_" not in name
        ]
        return {
            name: db.execute(f"SELECT rowid, * FROM [{name}] ORDER BY rowid").fetchall()
            for name in tables
            if not name.startswith(("reports_fts", "reports_bigrams"))
        } | {
            name: sorted(db.execute(f"SELECT rowid FROM [{name}]").fetchall())
            for name in tables
            if name in ("reports_fts", "reports_bigrams")
        }
    finally:
        db.close()


@pytest.fixture
def crawled(tmp_path: Path) -> tuple[Path, Path]:
    archive, db_path = tmp_path / "archive", tmp_path / "crawl.db"
    db = open_db(db_path)
    store_source(db, SOURCE)
    crawl = FakeCrawl(archive, db)
    first, second, third = seed_bodies()
    crawl.fetch("/list.html", "list", b"list page", processor=process_fetched)
    crawl.fetch("/r0.txt", "attachment", first, gzipped=True, processor=process_fetched)
    crawl.fetch("/r1.txt", "document", second, processor=process_fetched)
    crawl.fetch("/r2.txt", "document", third, processor=process_fetched)
    crawl.fetch("/empty.txt", "document", b"   ", processor=process_fetched)  # failed
    crawl.fetch("/r1.txt", "document", third, processor=process_fetched)  # new content
    crawl.fetch("/r0.txt", "attachment", first, gzipped=True, processor=process_fetched)  # same
    crawl.fetch("/r2.txt", "document", b"gone", status=404, processor=process_fetched)
    crawl.close()
    db.close()
    return archive, db_path


def test_a_warm_rebuild_gives_the_database_a_cold_one_gives(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    archive, crawl_db = crawled
    cold = rebuild(archive, tmp_path / "cold.db", sources=[SOURCE], workers=0, cache=False)
    rebuild(archive, tmp_path / "fill.db", sources=[SOURCE], workers=0)
    warm = rebuild(archive, tmp_path / "warm.db", sources=[SOURCE], workers=0)
    assert warm.cached > 0 and cold.cached == 0
    assert dump(tmp_path / "warm.db") == dump(tmp_path / "cold.db")
    # Both equal the crawl's own document-by-document storing.
    assert rows(tmp_path / "warm.db") == rows(crawl_db)
    reports = {row["url"].rsplit("/", 1)[1]: row for row in rows(crawl_db)["reports"]}
    assert reports["r1.txt"]["version"] == 2
    assert reports["r2.txt"]["withdrawn_reason"] == "HTTP 404"


def test_the_walk_in_its_own_process_gives_the_same_database_and_errors(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    archive = crawled[0]
    (archive / "0-damaged.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: resp")[:-6])
    here = rebuild(archive, tmp_path / "here.db", sources=[SOURCE], workers=0)
    apart = rebuild(archive, tmp_path / "apart.db", sources=[SOURCE], workers=1)
    assert apart.errors == here.errors and "0-damaged.warc.gz" in apart.errors[0]
    assert (apart.responses, apart.reports) == (here.responses, here.reports)
    assert dump(tmp_path / "apart.db") == dump(tmp_path / "here.db")
