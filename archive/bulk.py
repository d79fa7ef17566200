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

from archive.records import FetchedDocument
from archive.store import agency_id, report_id
from pipeline.report import ExtractedReport


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
        source = sources.get(doc.source_id or "", {})
        own = source.get("agency") == report.agency.strip()
        agency: dict[str, Any] = {"id": agency_id(report.agency), "name": report.agency.strip()}
        if own and source.get("region"):
            agency["region"] = str(source["region"])
        if own and source.get("level"):
            agency["level"] = str(source["level"])
        aid = agency["id"]
        rows["agencies"].append(agency)
    failed = sum(1 for check in report.checks if check.passed is False)
    rows["reports"] = [
        {
            "id": rid,
            "url": doc.url,
            "source_id": doc.source_id,
            "agency_id": aid,
            "agency": report.agency,
            "year": report.year,
            "title": report.title,
            "doc_type": report.doc_type,
            "template": report.template,
            "published": report.published,
            "fetched_at": doc.fetched_at,
            "content_sha256": doc.sha256,
            "content_type": report.content_type or doc.content_type,
            "warc_file": doc.warc_file,
            "warc_offset": doc.warc_offset,
            "extraction_status": report.status,
            "status_reason": report.status_reason,
            "text": report.text,
            "metric_count": len(report.metrics),
            "failed_checks": failed,
            "version": 1,
            "first_seen": doc.fetched_at,
            "last_seen": doc.fetched_at,
            "withdrawn_at": None,
            "withdrawn_reason": None,
        }
    ]
    rows["report_versions"] = [
        {
            "report_id": rid,
            "version": 1,
            "sha256": doc.sha256,
            "first_seen": doc.fetched_at,
            "last_seen": doc.fetched_at,
            "warc_file": doc.warc_file,
            "warc_offset": doc.warc_offset,
            "extraction_status": report.status,
            "metric_count": len(report.metrics),
        }
    ]
    rows["metrics"] = [
        {"report_id": rid, "key": key, "value": metric.value, "raw": metric.raw}
        for key, metric in report.metrics.items()
    ]
    rows["checks"] = [
        {
            "report_id": rid,
            "rule": check.rule,
            "passed": None if check.passed is None else int(check.passed),
            "expected": check.expected,
            "printed": check.printed,
            "detail": check.detail,
            "severity": check.severity,
        }
        for check in report.checks
    ]
    rows["facts"] = [
        {
            "report_id": rid,
            "seq": seq,
            "kind": fact.kind,
            "value": fact.value,
            "unit": fact.unit,
            "sentence": fact.sentence,
        }
        for seq, fact in enumerate(report.facts)
    ]
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
