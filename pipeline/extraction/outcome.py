"""Deciding what an archived response becomes: the one rule shared by the crawl and `nianbao rebuild`.

A response is either only archived (navigation, redirects), extracted into a report, or recorded as
failed with a reason. Both the item pipelines and the rebuild call `process_fetched`, so a rebuilt
database equals the crawled one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.extraction.challenge import detect_challenge
from pipeline.extraction.document import (
    DOCUMENT_ROLES,
    NOT_MODIFIED_HEADER,
    OUTCOME_ARCHIVED,
    OUTCOME_EXTRACTED,
    OUTCOME_FAILED,
    OUTCOME_UNCHANGED,
    FetchedDocument,
)
from pipeline.extraction.report import STATUS_FAILED, ExtractedReport


@dataclass
class ProcessedDocument:
    """A fetched document with its outcome and, when extracted, its report."""

    document: FetchedDocument
    outcome: str
    reason: str = ""
    report: ExtractedReport | None = None


def outcome_without_extraction(doc: FetchedDocument) -> tuple[str, str] | None:
    """The page outcome of a response that needs no extraction; None when it must be extracted.

    The crawl records this for every archived response as it arrives, and `process_fetched` starts
    from it, so a 404 report page is `failed` whether the crawl or the rebuild stores it.
    """
    challenge = detect_challenge(doc.status, doc.headers, doc.body)
    if challenge is not None:
        return OUTCOME_FAILED, f"blocked: {challenge}"
    if doc.role not in DOCUMENT_ROLES:
        return OUTCOME_ARCHIVED, ""
    if doc.status == 304:
        return OUTCOME_UNCHANGED, "HTTP 304 not modified"
    if 300 <= doc.status < 400:
        return OUTCOME_ARCHIVED, f"HTTP {doc.status} redirect to {doc.headers.get('location', '')}"
    if doc.status != 200:
        return OUTCOME_FAILED, f"HTTP {doc.status}"
    return None


def needs_extraction(doc: FetchedDocument, known_sha256: str | None = None) -> bool:
    """Whether `doc` must be extracted: the one test the crawl, the workers ahead, the load and
    the rebuild share. Not when its status and role settle it, not for the stored copy standing
    in for a 304 (the 304 is what was archived), not for the same bytes as the stored version
    (`known_sha256`)."""
    if doc.headers.get(NOT_MODIFIED_HEADER.lower()):
        return False
    if outcome_without_extraction(doc) is not None:
        return False
    return known_sha256 is None or known_sha256 != doc.sha256


def process_fetched(
    doc: FetchedDocument, source_agency: str | None = None, known_sha256: str | None = None
) -> ProcessedDocument:
    """Extract `doc` when it is a document response; say why not otherwise.

    `known_sha256` is the content hash of the version already stored for this URL: the same bytes
    again are not re-extracted.
    """
    settled = outcome_without_extraction(doc)
    if settled is not None:
        return ProcessedDocument(doc, *settled)
    if known_sha256 is not None and known_sha256 == doc.sha256:
        return ProcessedDocument(doc, OUTCOME_UNCHANGED, "same content as the stored version")
    # Imported here: the readers (PDF, DOCX, OCR, numpy…) cost ≈ 0.5 CPU-s to import, which a
    # rebuild whose every report comes from the extraction cache never needs.
    from pipeline.extraction.extract import extract_document

    report = extract_document(
        doc.body, doc.url, doc.headers, link_text=doc.link_text, source_agency=source_agency
    )
    return processed_from_report(doc, report)


def processed_from_report(doc: FetchedDocument, report: ExtractedReport) -> ProcessedDocument:
    """What `process_fetched` makes of `doc` once extraction gave `report` (a cached report
    becomes a page outcome by this same rule)."""
    if report.status == STATUS_FAILED:
        return ProcessedDocument(doc, OUTCOME_FAILED, report.status_reason, report)
    return ProcessedDocument(doc, OUTCOME_EXTRACTED, report.status_reason, report)


def failure_kind(reason: str) -> str:
    """A short, countable kind for a failure reason ("HTTP 503", "blocked", "TimeoutError"…)."""
    reason = (reason or "unknown").strip()
    if reason.startswith("HTTP "):
        return reason[:8]
    if reason.startswith("blocked"):
        return "blocked"
    if "robots.txt" in reason:
        return "robots"
    return reason.split(":")[0].strip()[:40] or "unknown"
