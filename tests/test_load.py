"""Loading after the fetch: archived documents extracted on worker processes, stored in fetch order.

The truth each test compares with is the document-by-document store (`FakeCrawl` of the rebuild
tests: extract one document, store it, fetch the next), which is what a crawl did before loading
moved after the fetch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from conftest import run_nianbao
from test_rebuild import BASE, SOURCE, FakeCrawl

from archive.load import load_pending
from archive.publish import prepare_for_publishing
from archive.rebuild import rebuild
from archive.schema import READER_INDEXES, open_db
from archive.store import store_source
from pipeline.extraction.document import DOCUMENT_ROLES, OUTCOME_PENDING, FetchedDocument
from pipeline.extraction.outcome import (
    ProcessedDocument,
    outcome_without_extraction,
    process_fetched,
)
from portal.content import SEEDS_DIR

HISTORY = ("pages", "reports", "metrics", "checks", "facts", "report_versions", "metric_changes")


# Where a copy sits in its archive (and the page ids made from it) differs between two archives.
PLACE = ("id", "warc_file", "warc_offset")


def history(path: Path) -> dict[str, list[dict[str, object]]]:
    db = sqlite_utils.Database(path)
    return {
        table: sorted(
            (
                {
                    k: v
                    for k, v in row.items()
                    if not (k in PLACE and (table == "pages" or k != "id"))
                }
                for row in db[table].rows
            ),
            key=repr,
        )
        for table in HISTORY
    }


def seed_bodies() -> list[bytes]:
    return [seed.read_bytes() for seed in sorted(SEEDS_DIR.glob("*.txt"))[:3]]


def archive_only(
    doc: FetchedDocument, source_agency: str | None, known_sha256: str | None = None
) -> ProcessedDocument:
    """What the crawl's store pipeline does as each response is archived: documents wait."""
    settled = outcome_without_extraction(doc)
    if settled is not None:
        return ProcessedDocument(doc, *settled)
    return ProcessedDocument(doc, OUTCOME_PENDING)


def fetch_history(crawl: FakeCrawl, processor: object) -> None:
    """One report URL fetched four times (A, B, A, A), another once, a list page and a 404."""
    first, second, third = seed_bodies()
    crawl.fetch("/list.html", "list", b"list page", processor=processor)  # type: ignore[arg-type]
    for body in (first, second, first, first):
        crawl.fetch("/r.txt", "attachment", body, gzipped=True, processor=processor)  # type: ignore[arg-type]
    crawl.fetch("/other.txt", "document", third, processor=processor)  # type: ignore[arg-type]
    crawl.fetch("/gone.txt", "document", b"not found", status=404, processor=processor)  # type: ignore[arg-type]


def rows_in_place(path: Path) -> dict[str, list[dict[str, object]]]:
    db = sqlite_utils.Database(path)
    return {table: sorted(db[table].rows, key=repr) for table in HISTORY}


def publish(path: Path) -> None:
    db = open_db(path)
    prepare_for_publishing(db)
    db.close()


def crawled_db(path: Path, archive: Path, processor: object) -> Path:
    db = open_db(path)
    store_source(db, SOURCE)
    crawl = FakeCrawl(archive, db)
    fetch_history(crawl, processor)
    crawl.close()
    db.close()
    return path


def test_documents_loaded_after_the_fetch_equal_documents_stored_one_by_one(
    tmp_path: Path,
) -> None:
    one_by_one = crawled_db(tmp_path / "one.db", tmp_path / "a1", process_fetched)
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a2", archive_only)
    pending = sqlite_utils.Database(deferred)["pages"].count_where("outcome = ?", [OUTCOME_PENDING])
    assert pending == 5

    summary = load_pending(deferred, tmp_path / "a2", workers=2)
    publish(deferred)

    assert (summary.documents, summary.failed, summary.rewrote) == (5, 0, True)
    assert history(deferred) == history(one_by_one)
    # Three versions of /r.txt (A, B, A), the fourth fetch the same as the third.
    versions = sqlite_utils.Database(deferred)["report_versions"].count_where(
        "report_id = (SELECT id FROM reports WHERE url = ?)", [BASE + "/r.txt"]
    )
    assert versions == 3


def test_a_version_changed_earlier_in_the_same_load_is_extracted_again_from_its_record(
    tmp_path: Path,
) -> None:
    """A stored, then B and A fetched: A went to its worker as "the stored content", and is
    extracted after all once B has been stored before it, its body read back from the archive."""
    first, second, _ = seed_bodies()

    def crawled(path: Path, archive: Path, later: object) -> Path:
        db = open_db(path)
        store_source(db, SOURCE)
        crawl = FakeCrawl(archive, db)
        crawl.fetch("/r.txt", "attachment", first, processor=process_fetched)
        for body in (second, first):
            crawl.fetch("/r.txt", "attachment", body, processor=later)  # type: ignore[arg-type]
        crawl.close()
        db.close()
        return path

    one_by_one = crawled(tmp_path / "one.db", tmp_path / "a1", process_fetched)
    deferred = crawled(tmp_path / "later.db", tmp_path / "a2", archive_only)

    summary = load_pending(deferred, tmp_path / "a2", workers=1)
    publish(deferred)

    assert (summary.documents, summary.failed) == (2, 0)
    assert history(deferred) == history(one_by_one)
    db = sqlite_utils.Database(deferred)
    assert db["report_versions"].count == 3
    (report,) = db["reports"].rows
    assert report["version"] == 3 and report["extraction_status"] != "failed"


def test_load_counts_changes_per_source_as_the_crawl_stats_do(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    summary = load_pending(deferred, tmp_path / "a", workers=2)
    assert summary.stats["nianbao/change/new"] == 2
    assert summary.stats["nianbao/change/changed"] == 2
    assert summary.stats["nianbao/change/unchanged"] == 1
    assert summary.stats[f"nianbao/source/{SOURCE.id}/change/new"] == 2


def test_a_second_load_finds_nothing_left_to_do(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    load_pending(deferred, tmp_path / "a", workers=1)
    before = history(deferred)
    again = load_pending(deferred, tmp_path / "a", workers=1)
    assert again.documents == 0 and history(deferred) == before


def test_rebuild_on_workers_equals_the_one_by_one_store(tmp_path: Path) -> None:
    one_by_one = crawled_db(tmp_path / "one.db", tmp_path / "a", process_fetched)
    rebuild(tmp_path / "a", tmp_path / "rebuilt.db", sources=[SOURCE], workers=2)
    assert rows_in_place(tmp_path / "rebuilt.db") == rows_in_place(one_by_one)


def test_a_document_whose_record_cannot_be_read_is_failed_with_the_reason(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    deferred = crawled_db(tmp_path / "later.db", archive, archive_only)
    (warc,) = archive.glob("*.warc.gz")
    warc.write_bytes(warc.read_bytes()[: warc.stat().st_size // 2])

    summary = load_pending(deferred, archive, workers=1)

    db = sqlite_utils.Database(deferred)
    failed = list(db.query("SELECT url, reason FROM pages WHERE outcome = 'failed'"))
    unreadable = [row for row in failed if row["reason"].startswith("archived record unreadable")]
    assert unreadable and summary.failed == len(unreadable)
    # Nothing silently left waiting: every document is stored or failed with its reason.
    assert db["pages"].count_where("outcome = ?", [OUTCOME_PENDING]) == 0
    assert summary.documents == 5


def test_nianbao_load_loads_what_a_stopped_crawl_left_and_publishes_it(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    deferred = crawled_db(tmp_path / "later.db", archive, archive_only)
    output = run_nianbao("load", "--archive", str(archive), "--db", str(deferred), "--no-progress")
    assert "documents 5, failed 0" in output.stdout
    db = sqlite_utils.Database(deferred)
    assert db["reports"].count == 2
    assert db["report_summary"].count == 2  # published: the summary tables know the reports


def test_crawl_extracting_after_the_fetch_equals_a_rebuild_reading_one_record_at_a_time(
    seed_crawl: object, tmp_path: Path
) -> None:
    during_db = tmp_path / "rebuilt.db"
    run_nianbao(
        "rebuild", "--archive", str(seed_crawl.archive), "--db", str(during_db),  # type: ignore[attr-defined]
        "--sources", str(seed_crawl.sources), "--no-progress",  # type: ignore[attr-defined]
    )  # fmt: skip
    after_db = seed_crawl.db  # type: ignore[attr-defined]

    def reports(path: Path) -> dict[str, tuple[object, ...]]:
        db = sqlite_utils.Database(path)
        return {
            row["url"]: (row["year"], row["agency"], row["template"], row["metric_count"])
            for row in db.query("SELECT url, year, agency, template, metric_count FROM reports")
        }

    def metrics(path: Path) -> set[tuple[object, ...]]:
        db = sqlite_utils.Database(path)
        sql = "SELECT r.url, m.key, m.value FROM metrics m JOIN reports r ON r.id = m.report_id"
        return {tuple(row.values()) for row in db.query(sql)}

    assert reports(after_db) and reports(after_db) == reports(during_db)
    assert metrics(after_db) == metrics(during_db)
    roles = ", ".join(f"'{role}'" for role in DOCUMENT_ROLES)
    run = next(sqlite_utils.Database(after_db).query("SELECT * FROM crawl_runs"))
    stored = sqlite_utils.Database(after_db).execute(
        f"SELECT count(*) FROM pages WHERE role IN ({roles}) AND status = 200"
    )
    assert run["documents_loaded"] == stored.fetchone()[0]
    assert run["fetch_seconds"] > 0 and run["load_seconds"] > 0


def test_a_bulk_load_builds_the_reader_indexes_again_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.load

    monkeypatch.setattr(archive.load, "BULK_MIN_DOCUMENTS", 1)
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    db = sqlite_utils.Database(deferred)
    assert archive.load.is_bulk(db, 5)
    load_pending(deferred, tmp_path / "a", workers=1)
    plan = " ".join(
        str(row) for row in db.execute("EXPLAIN QUERY PLAN SELECT * FROM metrics WHERE key = 'x'")
    )
    assert "idx_metrics_key_value" in plan
    assert set(READER_INDEXES) <= {index.name for table in HISTORY for index in db[table].indexes}


def test_publishing_restores_reader_indexes_a_stopped_load_left_dropped(tmp_path: Path) -> None:
    deferred = crawled_db(tmp_path / "later.db", tmp_path / "a", archive_only)
    db = open_db(deferred)
    db.execute("DROP INDEX idx_metrics_key_value")
    prepare_for_publishing(db)
    assert "idx_metrics_key_value" in {index.name for index in db["metrics"].indexes}
