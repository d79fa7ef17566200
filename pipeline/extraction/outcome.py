"""Deciding what an archived response becomes: the one rule shared by the crawl and `nianbao rebuild`.

A response is either only archived (navigation, redirects), extracted into a report, or recorded as
failed with a reason. Both the item pipelines and the rebuild call `process_fetched`, so a rebuilt
database equals the crawled one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.extraction.challenge import detect_challenge
from pipeline.extraction.document import (
    DOCUMENT_ROLES,
    NOT_MODIFIED_HEADER,
    OUTCOME_ARCHIVED,
    OUTCOME_EXTRACTED,
    OUTCOME_FAILED,
    OUTCOME_UNCHANGED,
    ROLE_IMAGE,
    FetchedDocument,
)
from pipeline.extraction.report import (
    STATUS_FAILED,
    STATUS_NO_TABLES,
    STATUS_PARTIAL,
    ExtractedReport,
)
from pipeline.extraction.table_images import select_table_images

# A report page read without its pictures that lacks tables (or rows) may show them as pictures;
# one whose tables were read, or that is no report, is not read by OCR.
_TABLES_MAY_BE_PICTURES = (STATUS_NO_TABLES, STATUS_PARTIAL)


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
    if doc.role == ROLE_IMAGE:
        return _image_outcome(doc)
    if doc.role not in DOCUMENT_ROLES:
        return OUTCOME_ARCHIVED, ""
    if doc.status == 304:
        return OUTCOME_UNCHANGED, "HTTP 304 not modified"
    if 300 <= doc.status < 400:
        return OUTCOME_ARCHIVED, f"HTTP {doc.status} redirect to {doc.headers.get('location', '')}"
    if doc.status != 200:
        return OUTCOME_FAILED, f"HTTP {doc.status}"
    return None


def _image_outcome(doc: FetchedDocument) -> tuple[str, str]:
    """A report page's picture is read with its page, never on its own: archived, or failed when
    the server did not give it. Decided by the status alone, like every outcome short of
    extraction (the rebuild's walk may leave the body out: `archive.rebuild_walk`); whether it
    holds a table is decided when its page is read (`table_images.select_table_images`)."""
    if doc.status == 200:
        return OUTCOME_ARCHIVED, ""
    if doc.status == 304:
        return OUTCOME_ARCHIVED, "HTTP 304 not modified"
    if 300 <= doc.status < 400:
        # Not followed (`crawler.spiders.links`): the page's picture is missing, and says why.
        return OUTCOME_FAILED, f"HTTP {doc.status} redirect to {doc.headers.get('location', '')}"
    return OUTCOME_FAILED, f"HTTP {doc.status}"


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
    doc: FetchedDocument,
    source_agency: str | None = None,
    known_sha256: str | None = None,
    image_bodies: Sequence[bytes | None] = (),
) -> ProcessedDocument:
    """Extract `doc` when it is a document response; say why not otherwise.

    `known_sha256` is the content hash of the version already stored for this URL: the same bytes
    again are not re-extracted. `image_bodies` are the archived bodies of `doc.images` (None for
    one that could not be read back), read by OCR when the page's own text lacks its tables.
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
    if doc.images and report.status in _TABLES_MAY_BE_PICTURES:
        report = _with_images(doc, source_agency, image_bodies or [None] * len(doc.images))
    return processed_from_report(doc, report)


def _with_images(
    doc: FetchedDocument, source_agency: str | None, image_bodies: Sequence[bytes | None]
) -> ExtractedReport:
    """`doc` read again with its table pictures (OCR), noting each one the archive lacks."""
    from pipeline.extraction.extract import extract_document  # as in `process_fetched`

    images, notes = select_table_images(doc.images, image_bodies)
    report = extract_document(
        doc.body,
        doc.url,
        doc.headers,
        link_text=doc.link_text,
        source_agency=source_agency,
        images=images,
    )
    if notes and report.status != STATUS_FAILED:
        report.status_reason = "; ".join(filter(None, [report.status_reason, *notes]))[:500]
    return report


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
