"""The rows one extracted report becomes, for every table it fills: built in one place.

`archive.store.store_report` (one document per transaction, during a crawl or rebuild) and
`archive.bulk.bulk_store_reports` (many new reports per statement, for large loads) write exactly
these rows; only how they reach SQLite differs.
"""

from __future__ import annotations

from typing import Any

from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.report import ExtractedReport


def agency_row(name: str, agency_id: str, source: dict[str, Any] | None) -> dict[str, Any]:
    """The agencies row for a report's agency; the portal's region and level describe its own
    agency only, not every agency it hosts."""
    row: dict[str, Any] = {"id": agency_id, "name": name.strip()}
    source = source or {}
    if source.get("agency") == name.strip():
        if source.get("region"):
            row["region"] = str(source["region"])
        if source.get("level"):
            row["level"] = str(source["level"])
    return row


def report_row(
    rid: str,
    doc: FetchedDocument,
    report: ExtractedReport,
    agency_id: str | None,
    version: int,
    first_seen: str,
) -> dict[str, Any]:
    """The reports row: the current version of the report at `doc.url`."""
    return {
        "id": rid,
        "url": doc.url,
        "source_id": doc.source_id,
        "agency_id": agency_id,
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
        "failed_checks": sum(1 for check in report.checks if check.passed is False),
        "version": version,
        "first_seen": first_seen,
        "last_seen": doc.fetched_at,
        "withdrawn_at": None,
        "withdrawn_reason": None,
    }


def version_row(
    rid: str, doc: FetchedDocument, report: ExtractedReport, version: int, first_seen: str
) -> dict[str, Any]:
    """The report_versions row of this content."""
    return {
        "report_id": rid,
        "version": version,
        "sha256": doc.sha256,
        "first_seen": first_seen,
        "last_seen": doc.fetched_at,
        "warc_file": doc.warc_file,
        "warc_offset": doc.warc_offset,
        "extraction_status": report.status,
        "metric_count": len(report.metrics),
    }


def metric_rows(rid: str, report: ExtractedReport) -> list[dict[str, Any]]:
    return [
        {"report_id": rid, "key": key, "value": metric.value, "raw": metric.raw}
        for key, metric in report.metrics.items()
    ]


def check_rows(rid: str, report: ExtractedReport) -> list[dict[str, Any]]:
    return [
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


def fact_rows(rid: str, report: ExtractedReport) -> list[dict[str, Any]]:
    return [
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
