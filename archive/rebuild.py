"""`nianbao rebuild`: the database again, from the WARC archive alone (no network).

Every archived response goes through the same decision (`pipeline.extraction.outcome.process_fetched`) and the
same loading (`archive.versions.ingest`, its rows for URLs not stored yet written in batches by
`archive.rebuild_writes`) as in the crawl, in the order it was fetched, so the rebuilt
reports, versions, metrics, checks and facts equal the crawled ones; the crawl runs come back from the
metadata records each run leaves in the archive. A damaged WARC file costs only what cannot be read in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from tqdm import tqdm

from archive.database import Batches, open_for_writing, source_agencies
from archive.extraction_cache import open_cache
from archive.load import Processor, processed_in_order
from archive.publish import prepare_for_publishing
from archive.rebuild_writes import RebuildWriter
from archive.revisits import DEFAULT_LADDER, Ladder, refresh_revisits
from archive.runs import restore_runs
from archive.schema import reader_indexes_dropped
from archive.store import PortalSource, store_source
from archive.warc_read import iter_archived
from archive.workers import Job, default_workers, streamed
from pipeline.extraction.document import DOCUMENT_ROLES, FetchedDocument
from pipeline.extraction.outcome import ProcessedDocument

# Everything derived from the archive; sources (from source files) are kept.
DERIVED_TABLES = (
    "revisits",
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
    extracted: int = 0  # documents extracted (not settled without extraction, not cached)
    cached: int = 0  # documents whose report came from the extraction cache
    errors: list[str] = field(default_factory=list)  # damaged files/records, with offsets


@dataclass
class _WalkErrors:
    """The last item of `_walk`: the damaged files and records it met."""

    errors: list[str]


def _walk(archive_dir: str) -> Iterator[FetchedDocument | _WalkErrors]:
    """Every response record of the archive, then what was damaged (`iter_archived`)."""
    errors: list[str] = []
    yield from iter_archived(archive_dir, errors=errors)
    yield _WalkErrors(errors)


def _clear_derived(db: sqlite_utils.Database) -> None:
    with db.atomic():
        for table in DERIVED_TABLES:
            db.execute(f"DELETE FROM [{table}]")
        # Agencies named only by reports are derived too; those of the portals stay.
        db.execute("DELETE FROM agencies WHERE name NOT IN (SELECT agency FROM sources)")


def rebuild(
    archive_dir: str | Path,
    db_path: str | Path,
    *,
    progress: bool = False,
    sources: Sequence[PortalSource] | None = None,
    process: Processor | None = None,
    workers: int | None = None,
    cache: bool = True,
    ladder: Ladder = DEFAULT_LADDER,
) -> RebuildSummary:
    """Replace the derived rows of the database at `db_path` with what `archive_dir` holds.

    `sources` (a source file's contents) are stored first and name each portal's agency; without
    them the agencies already in the database's `sources` table are used. Extraction runs on
    `workers` processes (default: one per CPU). `process` stands in for
    `pipeline.extraction.outcome.process_fetched`, run in this process (tests only).

    Reports are taken from the archive's extraction cache (`archive.extraction_cache`) when it
    has them and stored in it otherwise; at the end, the entries of other extractor versions are
    deleted. `cache=False` neither reads nor writes it. The revisit schedule is derived with
    `ladder` (`archive.revisits`).
    """
    summary = RebuildSummary()
    db = open_for_writing(db_path)
    extraction_cache = open_cache(archive_dir, cache)
    try:
        _clear_derived(db)
        for source in sources or []:
            store_source(db, source)
        agencies = source_agencies(db)
        writer = RebuildWriter(db, Batches(db))

        chosen = default_workers() if workers is None else workers
        # The WARC files are read and parsed in a process of their own (with workers at all),
        # while this one stores what was read before.
        walked = streamed(_walk, (str(archive_dir),), in_process=chosen > 0 and process is None)

        def jobs() -> Iterator[tuple[None, Job]]:
            for doc in walked:
                if isinstance(doc, _WalkErrors):
                    summary.errors.extend(doc.errors)
                    continue
                summary.responses += 1
                known = None
                if doc.role in DOCUMENT_ROLES:
                    summary.documents += 1
                    known = writer.known_sha256(doc.url)
                yield None, (doc, agencies.get(doc.source_id or ""), known)

        # Extracted on every core, stored in the order the archive holds them.
        results: Iterable[tuple[None, ProcessedDocument, bool]] = processed_in_order(
            db,
            jobs(),
            chosen,
            process,
            extraction_cache,
            known=writer.known_sha256,
        )
        if progress:
            results = tqdm(results, desc="rebuild", unit=" responses")
        with reader_indexes_dropped(db):  # every row is new: the indexes are built once, after
            for _, processed, extracted in results:
                writer.write(processed)  # as `archive.versions.ingest` would, in batches
                summary.failed += processed.outcome == "failed"
                summary.extracted += extracted
            writer.flush()
            writer.batches.commit()
        if extraction_cache is not None:
            summary.cached = extraction_cache.hits
            # A rebuild reads every document: entries of older extractors will not be read again.
            extraction_cache.prune()
        restore_runs(db, archive_dir, errors=summary.errors)
        refresh_revisits(db, ladder)
        prepare_for_publishing(db)
        summary.reports = db.table("reports").count
    finally:
        db.close()
        if extraction_cache is not None:
            extraction_cache.close()
    return summary
