"""Publishing recomputes the cross-year checks of the agencies whose reports changed only, and the
result is the same as recomputing every agency: reports stored the way a crawl stores them
(synthetic pages extracted and stored by `archive.store`), then new, corrected, withdrawn,
reinstated and moved reports."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils

from archive.cross_year import STATE_TABLE, cross_year_checks
from archive.publish import prepare_for_publishing
from archive.schema import open_db
from archive.store import mark_withdrawn, store_report, touch_report
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import ExtractedReport
from portal.content import ReportSpec
from portal.formats import portal_page
from portal.synthetic import generate

HEADERS = {"content-type": "text/html; charset=utf-8"}


def stored(db: sqlite_utils.Database, url: str, body: bytes, when: str) -> ExtractedReport:
    report = extract_document(body, url, HEADERS)
    doc = FetchedDocument(url=url, status=200, body=body, headers=HEADERS, fetched_at=when)
    store_report(db, doc, report)
    return report


def store_spec(db: sqlite_utils.Database, index: int, spec: ReportSpec, when: str) -> None:
    stored(db, f"http://127.0.0.1/art/{index}.html", portal_page(spec, index % 2 == 0), when)


def cross_year_tables(db: sqlite_utils.Database) -> tuple[list[tuple], list[tuple]]:
    """Every check row (cross-year and in-report) and every report's failed-check count."""
    checks = db.execute("SELECT * FROM checks ORDER BY report_id, rule").fetchall()
    failed = db.execute("SELECT id, failed_checks FROM reports ORDER BY id").fetchall()
    return checks, failed


def recomputed_in_full(db: sqlite_utils.Database, tmp_path: Path) -> tuple[list[tuple], ...]:
    """The same database with every agency's cross-year checks recomputed (on a copy)."""
    copy = tmp_path / "full.db"
    copy.unlink(missing_ok=True)
    target = sqlite3.connect(copy)
    db.conn.backup(target)
    target.close()
    full = sqlite_utils.Database(copy)
    cross_year_checks(full, full=True)
    try:
        return cross_year_tables(full)
    finally:
        full.close()


@pytest.fixture
def specs() -> list[ReportSpec]:
    return [spec for spec in generate(36, seed=5) if spec.doc_type == "annual_report"]


@pytest.fixture
def published(tmp_path: Path, specs: list[ReportSpec]) -> sqlite_utils.Database:
    db = open_db(tmp_path / "n.db")
    for index, spec in enumerate(specs[:-2]):
        store_spec(db, index, spec, "2025-01-01T00:00:00")
    prepare_for_publishing(db)
    return db


def test_a_quiet_publish_recomputes_nothing(published: sqlite_utils.Database) -> None:
    before = cross_year_tables(published)
    assert cross_year_checks(published) == 0
    assert cross_year_tables(published) == before


def test_changed_agencies_are_recomputed_as_a_full_run_would(
    published: sqlite_utils.Database, specs: list[ReportSpec], tmp_path: Path
) -> None:
    db = published
    agencies = {spec.agency for spec in specs}
    assert len(agencies) > 4
    # New reports (some agencies' later years), as a crawl stores them.
    for index in range(len(specs) - 2, len(specs)):
        store_spec(db, index, specs[index], "2025-02-01T00:00:00")
    # A report corrected: its carried-in count changed, a new version.
    spec = next(s for s in specs[6:-2] if s.metrics.get("apply.carried_in.natural") is not None)
    index = specs.index(spec)
    corrected = replace(spec, metrics={**spec.metrics, "apply.carried_in.natural": 997.0})
    store_spec(db, index, corrected, "2025-02-01T00:00:00")
    # A report withdrawn; a report moved to another agency (its page now names another).
    mark_withdrawn(db, "http://127.0.0.1/art/3.html", "2025-02-01T00:00:00", "HTTP 404")
    body = portal_page(specs[5], False)
    moved = extract_document(body, "http://127.0.0.1/art/5.html", HEADERS)
    moved.agency = "示例市另一个局（示例）"
    doc = FetchedDocument(
        url="http://127.0.0.1/art/5.html", status=200, body=body + b" ", headers=HEADERS
    )
    store_report(db, doc, moved)
    recomputed = cross_year_checks(db)
    total = db.execute("SELECT count(*) FROM checks WHERE rule GLOB 'cross_year.*'").fetchone()[0]
    assert 0 < recomputed < total  # some agencies, not all
    assert cross_year_tables(db) == recomputed_in_full(db, tmp_path)

    # The withdrawn report reinstated (seen again): its agency is recomputed again.
    assert touch_report(db, "http://127.0.0.1/art/3.html", "2025-03-01T00:00:00")
    assert cross_year_checks(db) > 0
    assert cross_year_tables(db) == recomputed_in_full(db, tmp_path)


def test_the_first_run_without_state_recomputes_everything(
    published: sqlite_utils.Database, tmp_path: Path
) -> None:
    published.execute(f"DROP TABLE [{STATE_TABLE}]")
    published.execute("UPDATE checks SET detail = 'stale' WHERE rule GLOB 'cross_year.*'")
    assert cross_year_checks(published) > 0
    assert cross_year_tables(published) == recomputed_in_full(published, tmp_path)
