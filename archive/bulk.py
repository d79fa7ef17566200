"""Bulk loading of new reports: the rows `archive.store.store_report` writes, many reports per statement.

`store_report` handles one document per transaction and looks up the previous version first, which
is right for a crawl and slow for loading a hundred thousand reports at once (the benchmark's
100,000-report database). `bulk_store_reports` writes the same rows for reports whose URL is not in
the database yet, in large transactions with `executemany`; `tests/test_bench_smoke.py` checks that
both paths produce identical rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from archive.report_rows import (
    agency_row,
    check_rows,
    fact_rows,
    metric_rows,
    report_row,
    version_row,
)
from archive.store import agency_id, report_id
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.report import ExtractedReport


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = (
        f"INSERT OR REPLACE INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    db.conn.executemany(sql, [[row[c] for c in columns] for row in rows])


def _report_rows(
    doc: FetchedDocument, report: ExtractedReport, sources: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    rid = report_id(doc.url)
    rows: dict[str, list[dict[str, Any]]] = {"agencies": []}
    aid = None
    if report.agency and report.agency.strip():
        aid = agency_id(report.agency)
        source = sources.get(doc.source_id or "")
        rows["agencies"].append(agency_row(report.agency, aid, source))
    rows["reports"] = [report_row(rid, doc, report, aid, 1, doc.fetched_at)]
    rows["report_versions"] = [version_row(rid, doc, report, 1, doc.fetched_at)]
    rows["metrics"] = metric_rows(rid, report)
    rows["checks"] = check_rows(rid, report)
    rows["facts"] = fact_rows(rid, report)
    return rows


def _store_agencies(db: sqlite_utils.Database, agencies: list[dict[str, Any]]) -> None:
    # An upsert, as store_report does: a known agency keeps the region and level it has.
    for agency in agencies:
        db.conn.execute(
            "INSERT OR IGNORE INTO agencies (id, name) VALUES (?, ?)",
            [agency["id"], agency["name"]],
        )
        for column in ("region", "level"):
            if column in agency:
                db.conn.execute(
                    f"UPDATE agencies SET [{column}] = ? WHERE id = ?",
                    [agency[column], agency["id"]],
                )


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
    batch: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()

    def flush() -> None:
        with db.conn:  # one transaction per batch
            _store_agencies(db, batch.pop("agencies", []))
            for table in ("reports", "report_versions", "metrics", "checks", "facts"):
                _insert(db, table, batch.pop(table, []))

    for doc, report in documents:
        rid = report_id(doc.url)
        if rid in seen or db.execute("SELECT 1 FROM reports WHERE id = ?", [rid]).fetchone():
            raise ValueError(f"{doc.url} is already stored: use archive.store.store_report")
        seen.add(rid)
        for table, rows in _report_rows(doc, report, sources).items():
            batch.setdefault(table, []).extend(rows)
        stored += 1
        if stored % batch_size == 0:
            flush()
    flush()
    return stored
