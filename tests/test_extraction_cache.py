"""The extraction cache: the same bytes with the same inputs are extracted once per extractor, the
database stays what it would be without the cache, and a damaged cache costs only time."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils
from test_load import archive_only, crawled_db, history, publish, seed_bodies
from test_rebuild import SOURCE, FakeCrawl, rows

from archive import extraction_cache
from archive.cached_rows import HEAD
from archive.extraction_cache import CACHE_FILE_NAME, TABLE, ExtractionCache, cache_key
from archive.load import load_pending
from archive.rebuild import rebuild
from archive.schema import open_db
from archive.store import store_source
from pipeline.extraction.document import FetchedDocument, PageImage
from pipeline.extraction.extract import extract_document
from pipeline.extraction.outcome import process_fetched
from pipeline.extraction.version import extractor_version

SEEDS = 3


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """An archive of three seed reports, one page that fails extraction and a list page."""
    path = tmp_path / "archive"
    db = open_db(tmp_path / "crawl.db")
    store_source(db, SOURCE)
    crawl = FakeCrawl(path, db)
    crawl.fetch("/list.html", "list", b"list page", processor=process_fetched)
    for number, body in enumerate(seed_bodies()):
        crawl.fetch(f"/r{number}.txt", "attachment", body, gzipped=True, processor=process_fetched)
    crawl.fetch("/empty.txt", "document", b"   ", processor=process_fetched)  # failed: empty
    crawl.close()
    db.close()
    return path


def cached_versions(archive: Path) -> list[str]:
    db = sqlite_utils.Database(archive / CACHE_FILE_NAME)
    return [row["version"] for row in db.query(f"SELECT version FROM [{TABLE}]")]


def test_a_second_rebuild_extracts_nothing_and_gives_the_same_database(
    archive: Path, tmp_path: Path
) -> None:
    first = rebuild(archive, tmp_path / "first.db", sources=[SOURCE], workers=0)
    second = rebuild(archive, tmp_path / "second.db", sources=[SOURCE], workers=0)

    # The failure is extracted again each time: failures are never cached.
    assert (first.extracted, first.cached) == (SEEDS + 1, 0)
    assert (second.extracted, second.cached) == (1, SEEDS)
    assert rows(tmp_path / "second.db") == rows(tmp_path / "first.db")
    assert len(cached_versions(archive)) == SEEDS


def test_a_rebuild_on_workers_takes_its_reports_from_the_cache(
    archive: Path, tmp_path: Path
) -> None:
    rebuild(archive, tmp_path / "cold.db", sources=[SOURCE], workers=0)
    warm = rebuild(archive, tmp_path / "warm.db", sources=[SOURCE], workers=1)
    assert (warm.extracted, warm.cached) == (1, SEEDS)
    assert rows(tmp_path / "warm.db") == rows(tmp_path / "cold.db")


def test_no_cache_neither_reads_nor_writes_it(archive: Path, tmp_path: Path) -> None:
    summary = rebuild(archive, tmp_path / "rebuilt.db", sources=[SOURCE], workers=0, cache=False)
    assert (summary.extracted, summary.cached) == (SEEDS + 1, 0)
    assert not (archive / CACHE_FILE_NAME).exists()


def test_a_new_extractor_version_extracts_everything_again_and_prunes_the_old_entries(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(archive, tmp_path / "old.db", sources=[SOURCE], workers=0)
    monkeypatch.setattr(extraction_cache, "extractor_version", lambda: "a-new-extractor")

    summary = rebuild(archive, tmp_path / "new.db", sources=[SOURCE], workers=1)

    assert (summary.extracted, summary.cached) == (SEEDS + 1, 0)
    assert cached_versions(archive) == ["a-new-extractor"] * SEEDS
    assert rows(tmp_path / "new.db") == rows(tmp_path / "old.db")


def test_a_damaged_entry_is_extracted_again(archive: Path, tmp_path: Path) -> None:
    rebuild(archive, tmp_path / "first.db", sources=[SOURCE], workers=0)
    cache = sqlite_utils.Database(archive / CACHE_FILE_NAME)
    cache.execute(f"UPDATE [{TABLE}] SET report = ?", [b"not a pickle"])
    cache.execute(f"UPDATE [{HEAD}] SET fields = ?", [b"not a pickle"])  # the rows' form too
    cache.conn.commit()
    cache.close()

    summary = rebuild(archive, tmp_path / "second.db", sources=[SOURCE], workers=1)

    assert (summary.extracted, summary.cached) == (SEEDS + 1, 0)
    assert rows(tmp_path / "second.db") == rows(tmp_path / "first.db")
    # …and replaced by good entries.
    assert rebuild(archive, tmp_path / "third.db", sources=[SOURCE], workers=0).cached == SEEDS


def test_a_damaged_cache_file_is_replaced_with_a_warning(
    archive: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (archive / CACHE_FILE_NAME).write_bytes(b"this is not a SQLite database" * 100)
    with caplog.at_level(logging.WARNING, logger="archive.extraction_cache"):
        summary = rebuild(archive, tmp_path / "rebuilt.db", sources=[SOURCE], workers=0)
    assert summary.extracted == SEEDS + 1
    assert "damaged" in caplog.text
    assert len(cached_versions(archive)) == SEEDS


def test_a_cache_that_cannot_be_created_is_not_used(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "no such directory" / CACHE_FILE_NAME)
    doc = FetchedDocument(url="http://a.example/r.txt", status=200, body=b"x")
    cache.put(doc, None, extract_document(b"x", doc.url))
    assert cache.ref is None and cache.get(doc, None) is None
    cache.close()


def test_the_key_separates_every_input_extraction_reads() -> None:
    body = seed_bodies()[0]
    base = FetchedDocument(
        url="http://a.example/r.txt",
        status=200,
        body=body,
        headers={"content-type": "text/plain"},
        link_text="2023年报",
    )
    variants = [
        FetchedDocument(url="http://a.example/r.html", status=200, body=body,
                        headers=base.headers, link_text=base.link_text),
        FetchedDocument(url="http://b.example/r.txt", status=200, body=body,
                        headers=base.headers, link_text=base.link_text),
        FetchedDocument(url=base.url, status=200, body=body,
                        headers={"content-type": "text/html"}, link_text=base.link_text),
        FetchedDocument(url=base.url, status=200, body=body, headers=base.headers,
                        link_text="2022年报"),
        FetchedDocument(url=base.url, status=200, body=body + b" ", headers=base.headers,
                        link_text=base.link_text),
    ]  # fmt: skip
    version = extractor_version()
    keys = {cache_key(doc, "甲市人民政府", version) for doc in [base, *variants]}
    keys |= {cache_key(base, "乙市人民政府", version), cache_key(base, None, version)}
    keys.add(cache_key(base, "甲市人民政府", "another extractor"))
    assert len(keys) == len(variants) + 1 + 3


def test_the_same_bytes_under_another_suffix_or_agency_are_not_served_from_the_cache(
    tmp_path: Path,
) -> None:
    body = seed_bodies()[0]
    as_text = FetchedDocument(url="http://a.example/r.txt", status=200, body=body)
    as_html = FetchedDocument(url="http://a.example/r.html", status=200, body=body)
    with ExtractionCache(tmp_path / CACHE_FILE_NAME) as cache:
        cache.put(as_text, "甲市人民政府", extract_document(body, as_text.url))
        assert cache.get(as_text, "甲市人民政府") is not None
        assert cache.get(as_html, "甲市人民政府") is None
        assert cache.get(as_text, "乙市人民政府") is None


def test_the_load_stores_what_it_extracts_and_a_second_load_takes_it_from_the_cache(
    tmp_path: Path,
) -> None:
    one_by_one = crawled_db(tmp_path / "one.db", tmp_path / "a", process_fetched)
    archive = tmp_path / "deferred"
    first = crawled_db(tmp_path / "first.db", archive, archive_only)
    again = tmp_path / "again.db"
    shutil.copy(first, again)  # the same pending documents, loaded a second time

    cold = load_pending(first, archive, workers=1)
    warm = load_pending(again, archive, workers=1)
    publish(first)
    publish(again)

    # /r.txt A, B, A, A and /other.txt, all sent to the workers before any was stored (the load
    # settles A again and again against the stored version only afterwards, `_as_of_now`).
    assert (cold.documents, cold.extracted, cold.cached) == (5, 5, 0)
    assert (warm.documents, warm.extracted, warm.cached) == (5, 0, 5)
    assert history(again) == history(first) == history(one_by_one)


def test_a_cache_locked_by_another_writer_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extraction_cache, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / CACHE_FILE_NAME
    doc = FetchedDocument(url="http://a.example/r.txt", status=200, body=seed_bodies()[0])
    ExtractionCache(path).close()
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    cache = ExtractionCache(path)
    cache.put(doc, None, extract_document(doc.body, doc.url))
    cache.close()  # the write waits 50 ms, then gives up: a miss next time, nothing worse
    other.rollback()
    other.close()
    assert path.exists()
    with ExtractionCache(path) as again:
        assert again.ref is not None and again.get(doc, None) is None


def test_the_key_of_a_page_read_with_pictures_changes_with_each_picture() -> None:
    """The same HTML page with another table picture (or one missing) is read again."""
    page = FetchedDocument(url="http://a.example/r.html", status=200, body=b"<p>2023</p>")
    first = PageImage("http://a.example/t1.png", "a" * 64, "x.warc.gz", 10)
    shown = [
        (first,),
        (replace(first, sha256="b" * 64),),
        (PageImage(first.url, problem="HTTP 404"),),
        (first, PageImage("http://a.example/t2.png", "c" * 64, "x.warc.gz", 99)),
    ]
    version = extractor_version()
    keys = {cache_key(replace(page, images=images), None, version) for images in shown}
    keys.add(cache_key(page, None, version))
    assert len(keys) == len(shown) + 1
