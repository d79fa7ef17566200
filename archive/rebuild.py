"""`nianbao rebuild`: the database again, from the WARC archive alone (no network).

Every archived response goes through the same decision (`pipeline.ingest.process_fetched`) and the
same loading (`archive.ingest.ingest`) as in the crawl, in the order it was fetched, so the rebuilt
reports, versions, metrics, checks and facts equal the crawled ones; the crawl runs come back from the
metadata records each run leaves in the archive. A damaged WARC file costs only what cannot be read in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils
from tqdm import tqdm

from archive.ingest import ingest
from archive.publish import prepare_for_publishing
from archive.records import DOCUMENT_ROLES, FetchedDocument
from archive.runs import restore_runs
from archive.schema import open_db
from archive.store import current_report, store_source
from archive.warc_read import iter_archived
from crawler.sources import Source

if TYPE_CHECKING:
    from pipeline.ingest import ProcessedDocument

# (document, the agency of its source, the stored version's SHA-256) -> what it becomes;
# `pipeline.ingest.process_fetched`.
Processor = Callable[[FetchedDocument, "str | None", "str | None"], "ProcessedDocument"]

# Everything derived from the archive; sources (from source files) are kept.
DERIVED_TABLES = (
    "metric_changes",
    "report_versions",
    "facts",
    "checks",
    "metrics",
    "reports",
    "pages",
    "source_runs",
    "crawl_runs",
)


@dataclass
class RebuildSummary:
    responses: int = 0  # response records read
    documents: int = 0  # of which fetched as a document or attachment
    reports: int = 0  # rows in `reports` afterwards (a URL fetched twice is one report)
    failed: int = 0  # pages whose outcome is "failed"
    errors: list[str] = field(default_factory=list)  # damaged files/records, with offsets


def _default_processor() -> Processor:
    # Imported here: extraction pulls in PDF/Office readers the rest of the archive does not need.
    from pipeline.ingest import process_fetched

    return process_fetched


def _clear_derived(db: sqlite_utils.Database) -> None:
    with db.atomic():
        for table in DERIVED_TABLES:
            db.execute(f"DELETE FROM [{table}]")
        # Agencies named only by reports are derived too; those of the portals stay.
        db.execute("DELETE FROM agencies WHERE name NOT IN (SELECT agency FROM sources)")


def _source_agencies(db: sqlite_utils.Database) -> dict[str, str]:
    return {str(row["id"]): str(row["agency"]) for row in db.table("sources").rows}


def rebuild(
    archive_dir: str | Path,
    db_path: str | Path,
    *,
    progress: bool = False,
    sources: list[Source] | None = None,
    process: Processor | None = None,
) -> RebuildSummary:
    """Replace the derived rows of the database at `db_path` with what `archive_dir` holds.

    `sources` (a source file's contents) are stored first and name each portal's agency; without
    them the agencies already in the database's `sources` table are used. `process` stands in for
    `pipeline.ingest.process_fetched` (tests only).
    """
    processor = process or _default_processor()
    summary = RebuildSummary()
    db = open_db(db_path)
    try:
        _clear_derived(db)
        for source in sources or []:
            store_source(db, source)
        agencies = _source_agencies(db)
        documents: Iterable[FetchedDocument] = iter_archived(archive_dir, errors=summary.errors)
        if progress:
            documents = tqdm(documents, desc="rebuild", unit=" responses")
        for doc in documents:
            summary.responses += 1
            known_sha256 = None
            if doc.role in DOCUMENT_ROLES:
                summary.documents += 1
                known = current_report(db, doc.url)
                known_sha256 = known["content_sha256"] if known else None
            processed = processor(doc, agencies.get(doc.source_id or ""), known_sha256)
            ingest(db, processed)
            if processed.outcome == "failed":
                summary.failed += 1
        restore_runs(db, archive_dir, errors=summary.errors)
        prepare_for_publishing(db)
        summary.reports = db.table("reports").count
    finally:
        db.close()
    return summary
