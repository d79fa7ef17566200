"""Extraction ahead of the load: what workers extracted during the fetch, taken from the spool.

The truth is the document-by-document store of `tests/test_load.py` (one URL fetched as A, B, A,
A; another once; a list page; a 404): a load that takes every extraction from the spool must
store exactly that, and a spool entry that does not fit its page must be ignored, not trusted.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlite_utils
from test_load import archive_only, crawled_db, history, publish
from test_rebuild import SOURCE

from archive.load import load_pending, pending_pages
from archive.spool import SPOOL_SUFFIX, Spool, extract_into_spool, new_spool_dir
from archive.warc_read import read_record
from pipeline.ahead import ExtractAhead
from pipeline.extraction.outcome import process_fetched


def spool_every_pending(db_path: Path, archive: Path, spool_dir: Path, agency: str) -> int:
    spool_dir.mkdir(exist_ok=True)
    pages = pending_pages(sqlite_utils.Database(db_path))
    for page in pages:
        extract_into_spool(
            str(spool_dir), str(archive), page["warc_file"], page["warc_offset"], agency
        )
    return len(pages)


def test_a_load_from_the_spool_equals_documents_stored_one_by_one(tmp_path: Path) -> None:
    one_by_one = crawled_db(tmp_path / "one.db", tmp_path / "a1", process_fetched)
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a2", archive_only)
    spooled = spool_every_pending(deferred, tmp_path / "a2", tmp_path / "spool", SOURCE.agency)

    summary = load_pending(
        deferred, tmp_path / "a2", workers=1, spool=Spool.read(tmp_path / "spool")
    )
    publish(deferred)

    assert spooled == 5 and summary.spooled == 5 and summary.documents == 5
    # A, B, A, A: three versions, the fourth fetch found unchanged against the third.
    assert history(deferred) == history(one_by_one)
    assert summary.stats["nianbao/change/unchanged"] == 1


def test_spooled_extractions_are_used_instead_of_reading_the_archive_again(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    spool_every_pending(deferred, tmp_path / "a", tmp_path / "spool", SOURCE.agency)
    for warc in (tmp_path / "a").glob("*.warc.gz"):
        warc.write_bytes(b"")  # the records are gone: only the spool can give the documents

    summary = load_pending(
        deferred, tmp_path / "a", workers=1, spool=Spool.read(tmp_path / "spool")
    )

    assert (summary.spooled, summary.failed) == (5, 0)
    assert sqlite_utils.Database(deferred)["reports"].count == 2


def test_an_entry_made_for_another_agency_is_extracted_again(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    spool_every_pending(deferred, tmp_path / "a", tmp_path / "spool", "某某市人民政府")

    summary = load_pending(
        deferred, tmp_path / "a", workers=1, spool=Spool.read(tmp_path / "spool")
    )

    assert summary.spooled == 0 and summary.documents == 5


def test_an_entry_for_other_content_at_the_same_place_is_ignored(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    spool_every_pending(deferred, tmp_path / "a", tmp_path / "spool", SOURCE.agency)
    db = sqlite_utils.Database(deferred)
    db.execute("UPDATE pages SET sha256 = 'elsewhere' WHERE url LIKE '%/other.txt'")
    db.conn.commit()

    spool = Spool.read(tmp_path / "spool")
    page = next(p for p in pending_pages(db) if p["url"].endswith("/other.txt"))
    assert spool.take(page, SOURCE.agency) is None


def test_a_spool_cut_short_by_a_kill_keeps_its_whole_entries(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    spool_every_pending(deferred, tmp_path / "a", tmp_path / "spool", SOURCE.agency)
    (spool_file,) = (tmp_path / "spool").glob(f"*{SPOOL_SUFFIX}")
    spool_file.write_bytes(spool_file.read_bytes()[:-100])

    summary = load_pending(
        deferred, tmp_path / "a", workers=1, spool=Spool.read(tmp_path / "spool")
    )

    assert summary.spooled == 4 and summary.documents == 5 and summary.failed == 0
    assert sqlite_utils.Database(deferred)["report_versions"].count == 4


def pending_crawl(tmp_path: Path, workers: int) -> tuple[Path, list[dict], Path, ExtractAhead]:
    """A crawl's database with its documents awaiting extraction, and workers ahead for them."""
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    ahead = ExtractAhead(str(spool_dir), str(tmp_path / "a"), workers=workers)
    return deferred, pending_pages(sqlite_utils.Database(deferred)), spool_dir, ahead


def test_workers_ahead_spool_what_they_are_sent(tmp_path: Path) -> None:
    deferred, pages, spool_dir, ahead = pending_crawl(tmp_path, workers=2)
    try:
        for page in pages:
            doc = read_record(tmp_path / "a", page["warc_file"], page["warc_offset"])
            ahead.submit(doc, SOURCE.agency)
        deadline = time.monotonic() + 60
        while len(Spool.read(spool_dir)) < len(pages) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        ahead.close()

    assert ahead.sent == len(pages) == 5
    summary = load_pending(deferred, tmp_path / "a", workers=1, spool=Spool.read(spool_dir))
    assert summary.spooled == 5 and summary.failed == 0


def test_stopping_the_workers_ahead_leaves_the_rest_to_the_load(tmp_path: Path) -> None:
    deferred, pages, spool_dir, ahead = pending_crawl(tmp_path, workers=1)
    doc = read_record(tmp_path / "a", pages[0]["warc_file"], pages[0]["warc_offset"])
    ahead.submit(doc, SOURCE.agency)
    ahead.close()  # at once: the worker may not even have started
    ahead.submit(doc, SOURCE.agency)  # after the fetch: ignored

    assert ahead.sent == 1 and not ahead.workers._pool
    summary = load_pending(deferred, tmp_path / "a", workers=1, spool=Spool.read(spool_dir))
    assert summary.documents == 5 and summary.failed == 0 and summary.spooled <= 1


def test_a_new_spool_removes_those_of_crawls_that_died(tmp_path: Path) -> None:
    db_path = tmp_path / "nianbao.db"
    dead = tmp_path / ".nianbao.db.extract-ahead-999999999-x1"  # no such process
    living = tmp_path / f".nianbao.db.extract-ahead-{os.getppid()}-x2"  # another crawl, running
    other_db = tmp_path / ".other.db.extract-ahead-999999999-x3"
    for path in (dead, living, other_db):
        path.mkdir()

    fresh = new_spool_dir(db_path)

    assert fresh.is_dir() and fresh.name.startswith(f".nianbao.db.extract-ahead-{os.getpid()}-")
    assert not dead.exists() and living.exists() and other_db.exists()
