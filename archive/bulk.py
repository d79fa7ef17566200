"""Bulk loading of new reports: the rows `archive.store.store_report` writes, many reports per statement.

`store_report` handles one document per transaction and looks up the previous version first, which
is right for a crawl and slow for loading a hundred thousand reports at once (the benchmark's
100,000-report database). `bulk_store_reports` writes the same rows (`archive.report_rows`, written
by `archive.row_writes`) for reports whose URL is not in the database yet, thousands per
transaction and statement; `tests/test_bench_smoke.py` checks that both paths produce identical
rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from archive.report_rows import ReportRows, report_id, report_rows
from archive.row_writes import write_report_rows
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.report import ExtractedReport


def bulk_store_reports(
    db: sqlite_utils.Database,
    documents: Iterable[tuple[FetchedDocument, ExtractedReport]],
    batch_size: int = 2000,
    cache_mib: int = 1024,
) -> int:
    """Store new reports (URLs not yet in the database) in batches; returns how many were stored.

    The rows equal what `store_report` writes for a first version. Reports whose URL is already
    stored must go through `store_report` (versions, metric changes): they are refused here.
    """
    sources = {str(row["id"]): row for row in db.table("sources").rows}
    # Random-order inserts into the primary-key indexes need the pages in memory; durability
    # per batch is not needed while loading a database from scratch (restored afterwards).
    synchronous = db.execute("PRAGMA synchronous").fetchone()[0]
    cache_size = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA synchronous = OFF")
    db.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")
    try:
        return _bulk_store(db, documents, batch_size, sources)
    finally:
        db.execute(f"PRAGMA synchronous = {synchronous}")
        db.execute(f"PRAGMA cache_size = {cache_size}")


def _bulk_store(
    db: sqlite_utils.Database,
    documents: Iterable[tuple[FetchedDocument, ExtractedReport]],
    batch_size: int,
    sources: dict[str, dict[str, Any]],
) -> int:
    stored = 0
    batch = ReportRows()
    seen: set[str] = set()
    for doc, report in documents:
        rid = report_id(doc.url)
        if rid in seen or db.execute("SELECT 1 FROM reports WHERE id = ?", [rid]).fetchone():
            raise ValueError(f"{doc.url} is already stored: use archive.store.store_report")
        seen.add(rid)
        first_seen = doc.fetched_at
        batch.extend(
            report_rows(
                doc,
                report,
                sources.get(doc.source_id or ""),
                version=1,
                first_seen=first_seen,
                version_first_seen=first_seen,
            )
        )
        stored += 1
        if stored % batch_size == 0:
            _write_batch(db, batch)
            batch = ReportRows()
    _write_batch(db, batch)
    return stored


def _write_batch(db: sqlite_utils.Database, batch: ReportRows) -> None:
    with db.conn:  # one transaction per batch
        write_report_rows(db, batch)
