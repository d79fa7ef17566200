"""The rows one extracted report becomes, for every table it fills, with their ids: built in one place.

`archive.store.store_report` (one document per transaction, during a crawl or rebuild) and
`archive.bulk.bulk_store_reports` (many new reports per statement, for large loads) both call
`report_rows` and write its result with `archive.row_writes.write_report_rows`; only how many
reports go into one statement differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from archive.placement import place_agency
from archive.placement.qualify import qualified_name
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.report import VERDICT_FAIL, ExtractedReport

Row = dict[str, Any]


def stable_id(*parts: str) -> str:
    """A short, stable row id for `parts` (64 bits of SHA-256: no collisions at archive scale)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def report_id(url: str) -> str:
    """The id of the report found at `url`; the same URL fetched again is the same report."""
    return stable_id("report", url)


def agency_id(name: str) -> str:
    return stable_id("agency", name.strip())


@dataclass
class ReportRows:
    """Rows per table, in the order they are written (a report's agency before the report)."""

    agencies: list[Row] = field(default_factory=list)
    reports: list[Row] = field(default_factory=list)
    report_versions: list[Row] = field(default_factory=list)
    metrics: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)

    def extend(self, other: ReportRows) -> None:
        """Add `other`'s rows after these (a batch of reports written together)."""
        for table in fields(self):
            getattr(self, table.name).extend(getattr(other, table.name))


def agency_row(name: str, region: object = None, level: object = None) -> Row:
    """The agencies row for `name`, placed on the map by its name (`archive.placement`), with its
    own portal's `region` deciding only between divisions of one name. A column not known is None,
    which leaves the one already stored (`archive.row_writes.write_agencies`): only a value known
    replaces it. `level` (the source file's) stands in when the name places nothing. Its parent
    is decided at publishing, from every portal its reports were found on
    (`archive.placement.stored`)."""
    region_text = str(region) if region else None
    placement = place_agency(name.strip(), region_text)
    return {
        "id": agency_id(name),
        "name": name.strip(),
        "region": region_text,
        **placement.columns(),
        "level": placement.level or (str(level) if level else None),
    }


def _report_agency_row(name: str, source: Mapping[str, Any] | None) -> Row:
    if not source:
        return agency_row(name)
    # 市民政局 on 洛阳's portal is 洛阳市民政局 (the report keeps the name as it printed it).
    name = qualified_name(name.strip(), source.get("region"))
    # The portal's region and level describe its own agency only, not every agency it hosts.
    if source.get("agency") == name:
        return agency_row(name, source.get("region"), source.get("level"))
    return agency_row(name)


def report_rows(
    doc: FetchedDocument,
    report: ExtractedReport,
    source: Mapping[str, Any] | None,
    *,
    version: int,
    first_seen: str | None,
    version_first_seen: str | None,
) -> ReportRows:
    """Every row `report` (read from `doc`, on the portal whose sources row is `source`) becomes.

    `version` is the report's current version, `first_seen` when the report was first seen and
    `version_first_seen` when this version was (for a new report: 1, and `doc.fetched_at` twice).
    """
    rid = report_id(doc.url)
    rows = ReportRows()
    aid = None
    if report.agency and report.agency.strip():
        agency = _report_agency_row(report.agency, source)
        aid = agency["id"]
        rows.agencies.append(agency)
    rows.reports.append(_report_row(rid, doc, report, aid, version, first_seen))
    rows.report_versions.append(_version_row(rid, doc, report, version, version_first_seen))
    rows.metrics = [
        {
            "report_id": rid,
            "key": key,
            "value": metric.value,
            "raw": metric.raw,
            "page": metric.page,
            "bbox": None if metric.bbox is None else json.dumps([round(v, 1) for v in metric.bbox]),
            "confidence": metric.confidence,
        }
        for key, metric in report.metrics.items()
    ]
    rows.checks = [
        {
            "report_id": rid,
            "rule": check.rule,
            "passed": None if check.passed is None else int(check.passed),
            "expected": check.expected,
            "printed": check.printed,
            "detail": check.detail,
            "severity": check.severity,
            "verdict": check.verdict,
            "evidence": check.evidence,
        }
        for check in report.checks
    ]
    rows.facts = [
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


def _report_row(
    rid: str,
    doc: FetchedDocument,
    report: ExtractedReport,
    agency_id: str | None,
    version: int,
    first_seen: str | None,
) -> Row:
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
        # A JSON list (Datasette facets it with `_facet_array=missing_rows`); [] when none.
        "missing_rows": json.dumps(report.missing_rows),
        "text": report.text,
        "metric_count": len(report.metrics),
        "failed_checks": sum(1 for check in report.checks if check.verdict == VERDICT_FAIL),
        "version": version,
        "first_seen": first_seen,
        "last_seen": doc.fetched_at,
        "withdrawn_at": None,
        "withdrawn_reason": None,
    }


def _version_row(
    rid: str, doc: FetchedDocument, report: ExtractedReport, version: int, first_seen: str | None
) -> Row:
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


def metric_change_rows(
    rid: str,
    from_version: int,
    to_version: int,
    old_metrics: Mapping[str, tuple[Any, Any]],
    report: ExtractedReport,
) -> list[Row]:
    """The metric_changes rows from the stored version's cells (key → (value, raw)) to `report`'s:
    one per metric added, removed or changed."""
    new_metrics = {key: (metric.value, metric.raw) for key, metric in report.metrics.items()}
    return [
        {
            "report_id": rid,
            "from_version": from_version,
            "to_version": to_version,
            "key": key,
            "old_value": old_metrics.get(key, (None, None))[0],
            "new_value": new_metrics.get(key, (None, None))[0],
            "old_raw": old_metrics.get(key, (None, None))[1],
            "new_raw": new_metrics.get(key, (None, None))[1],
        }
        for key in sorted(set(old_metrics) | set(new_metrics))
        if old_metrics.get(key) != new_metrics.get(key)
    ]
