"""Storing one processed document: its page row and what it means for the report at its URL.

The one store step shared by the crawl's pipelines and `nianbao rebuild`. Besides the page row it
decides the report's history: a new report, a new version of a known one (with the metrics that
changed), the same version seen again, or a report withdrawn (404/410, a redirect elsewhere, or a page
that no longer holds a report). Nothing is ever deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlite_utils

from archive.store import current_report, mark_withdrawn, store_page, store_report, touch_report
from pipeline.extraction.document import DOCUMENT_ROLES, FetchedDocument
from pipeline.extraction.outcome import (
    OUTCOME_FAILED,
    OUTCOME_UNCHANGED,
    ProcessedDocument,
    failure_kind,
)
from pipeline.extraction.report import DOC_OTHER, STATUS_NOT_REPORT

# What a fetch meant for the report at its URL.
CHANGE_NONE = "none"  # not a report document (navigation, failure, a non-report page)
CHANGE_NEW = "new"
CHANGE_CHANGED = "changed"
CHANGE_UNCHANGED = "unchanged"
CHANGE_WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Ingested:
    change: str
    report_id: str | None = None
    # Whether the report rows were (re)written or withdrawn: the published summaries and indexes
    # are out of date. A `304` or the same bytes again only touches `last_seen`, which they omit.
    rewrote: bool = False


def _withdrawal_reason(doc: FetchedDocument, processed: ProcessedDocument) -> str | None:
    """Why this fetch shows the known report at its URL is gone, or None when it does not."""
    if doc.status in (404, 410):
        return f"HTTP {doc.status}"
    if 300 <= doc.status < 400:
        target = doc.headers.get("location", "")
        here, there = urlsplit(doc.url), urlsplit(target)
        # http→https or a host alias keeps the same path: that is a move, not a withdrawal.
        if target and there.path and there.path != here.path:
            return f"redirected to {target}"
        return None
    report = processed.report
    if report is not None and (report.status == STATUS_NOT_REPORT or report.doc_type == DOC_OTHER):
        return "the page no longer holds a report (deleted-article page)"
    return None


def ingest(db: sqlite_utils.Database, processed: ProcessedDocument) -> Ingested:
    """Write `processed` to the database and say what it changed."""
    doc = processed.document
    store_page(db, doc, processed.outcome, processed.reason)
    if doc.role not in DOCUMENT_ROLES:
        return Ingested(CHANGE_NONE)
    known = current_report(db, doc.url)
    if processed.outcome == OUTCOME_UNCHANGED:
        if known and touch_report(db, doc.url, doc.fetched_at):
            return Ingested(CHANGE_UNCHANGED, known["id"])
        return Ingested(CHANGE_NONE)
    if known and known["doc_type"] != DOC_OTHER:
        reason = _withdrawal_reason(doc, processed)
        if reason is not None:
            if mark_withdrawn(db, doc.url, doc.fetched_at, reason):
                return Ingested(CHANGE_WITHDRAWN, known["id"], rewrote=True)
            return Ingested(CHANGE_NONE, known["id"])
    if processed.report is None:
        return Ingested(CHANGE_NONE)
    rid = store_report(db, doc, processed.report)
    if known is None:
        return Ingested(CHANGE_NEW, rid, rewrote=True)
    if known["content_sha256"] == doc.sha256:
        return Ingested(CHANGE_UNCHANGED, rid, rewrote=True)
    return Ingested(CHANGE_CHANGED, rid, rewrote=True)


# Set when a crawl wrote or withdrew report rows: the published tables need refreshing.
REPORTS_REWRITTEN_STAT = "nianbao/reports_rewritten"


def outcome_stat_keys(source_id: str | None, change: str, outcome: str, reason: str) -> list[str]:
    """The crawl stats a stored document counts towards (run records and source statuses read
    them): its change to the report at its URL, and its failure by kind."""
    keys = []
    if change != CHANGE_NONE:
        keys.append(f"nianbao/change/{change}")
        if source_id:
            keys.append(f"nianbao/source/{source_id}/change/{change}")
    if outcome == OUTCOME_FAILED:
        keys.append(f"nianbao/failure/{failure_kind(reason)}")
        if source_id:
            keys.append(f"nianbao/source/{source_id}/failed")
    return keys
