"""`nianbao rebuild`: the database again, from the WARC archive alone (no network).

Every archived response goes through the same decision (`pipeline.extraction.outcome.process_fetched`) and the
same loading (`archive.versions.ingest`, its rows for URLs not stored yet written in batches by
`archive.rebuild_writes`) as in the crawl, in the order it was fetched, so the rebuilt
reports, versions, metrics, checks and facts equal the crawled ones; the crawl runs come back from the
metadata records each run leaves in the archive. A damaged WARC file costs only what cannot be read in it.

With the extraction cache warm, a rebuild of an unchanged archive reads almost nothing again: the
WARC files' contents come from the walks the cache kept (`archive.rebuild_walk`), the reports'
rows are copied from it in SQLite (`archive.cached_rows`), and the rest is storing and publishing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlite_utils
from tqdm import tqdm

from archive.cached_rows import CachedRows
from archive.database import Batches, source_agencies, written_apart
from archive.extraction_cache import open_cache
from archive.load import Processor, processed_in_order
from archive.page_images import ImageIndex
from archive.processes import streamed
from archive.publish import prepare_for_publishing
from archive.rebuild_walk import Stripped, WalkEnd, WalkRef, walk, without_body
from archive.rebuild_writes import RebuildWriter
from archive.revisits import DEFAULT_LADDER, Ladder, refresh_revisits
from archive.runs import restore_runs
from archive.schema import reader_indexes_dropped
from archive.store import PortalSource, store_source
from archive.warc_read import WarcReadError, read_record
from archive.workers import Extracted, Job, default_workers
from pipeline.extraction.document import DOCUMENT_ROLES, OUTCOME_EXTRACTED, FetchedDocument
from pipeline.extraction.outcome import ProcessedDocument, needs_extraction

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
    copied: int = 0  # of which their rows too, copied from it (`archive.cached_rows`)
    errors: list[str] = field(default_factory=list)  # damaged files/records, with offsets


def _settled(cached: CachedRows | None) -> Extracted | None:
    """What `process_fetched` makes of a new report whose rows the cache keeps (only reports
    that did not fail are kept): extracted, without the report (the writer copies its rows)."""
    if cached is None:
        return None
    return OUTCOME_EXTRACTED, cached.fields["status_reason"], None


def _walked_doc(item: FetchedDocument | Stripped) -> FetchedDocument:
    return item.doc if isinstance(item, Stripped) else item


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
    extraction_cache = open_cache(archive_dir, cache)
    try:
        # A new database is written apart and renamed into place (`written_apart`).
        with written_apart(db_path) as (db, _):
            _clear_derived(db)
            for source in sources or []:
                store_source(db, source)
            agencies = source_agencies(db)
            writer = RebuildWriter(db, Batches(db), extraction_cache, archive_dir)

            chosen = default_workers() if workers is None else workers
            # The WARC files are read and parsed in a process of their own (with workers at all),
            # while this one stores what was read before; files read before come from the cache.
            ref = None
            if extraction_cache is not None and extraction_cache.usable:
                ref = WalkRef(str(extraction_cache.path), extraction_cache.version)
            walked = streamed(
                walk, (str(archive_dir), ref), in_process=chosen > 0 and process is None
            )
            end = WalkEnd([], [])

            def prepared(
                item: FetchedDocument | Stripped,
            ) -> Iterator[tuple[CachedRows | None, Job]]:
                doc = item.doc if isinstance(item, Stripped) else item
                summary.responses += 1
                agency = agencies.get(doc.source_id or "")
                known, cached = None, None
                if doc.role in DOCUMENT_ROLES:
                    summary.documents += 1
                    known = writer.known_sha256(doc.url)
                    if known is None:
                        # A new report whose rows the cache keeps: no report to unpickle (used
                        # only if the document is extracted: `_settled`).
                        cached = writer.cached_rows(doc, agency)
                if isinstance(item, Stripped) and cached is None and needs_extraction(doc, known):
                    try:  # to be extracted (or taken from the cache): the body is needed
                        doc = with_body(doc)
                    except WarcReadError as exc:
                        summary.errors.append(str(exc))
                        return
                yield cached, (doc, agency, known)

            def jobs() -> Iterator[tuple[CachedRows | None, Job]]:
                """The walk's documents in archive order, except that a report page naming table
                pictures waits (without its body) until its crawl run's records are all walked: its
                pictures were fetched after it (`archive.page_images`)."""
                nonlocal end
                pictures = ImageIndex()
                waiting: list[FetchedDocument | Stripped] = []

                def released() -> Iterator[tuple[CachedRows | None, Job]]:
                    for parked in waiting:
                        if isinstance(parked, Stripped):
                            yield from prepared(Stripped(pictures.resolve(parked.doc)))
                        else:
                            yield from prepared(pictures.resolve(parked))
                    waiting.clear()

                for item in walked:
                    if isinstance(item, WalkEnd):
                        end = item
                        continue
                    doc = item.doc if isinstance(item, Stripped) else item
                    if waiting and (
                        doc.run_id != _walked_doc(waiting[0]).run_id
                        or any(doc.url == _walked_doc(parked).url for parked in waiting)
                    ):
                        yield from released()
                    pictures.add(doc)
                    if doc.images:
                        stripped, left_out = without_body(doc)
                        waiting.append(Stripped(stripped) if left_out else doc)
                        continue
                    yield from prepared(item)
                yield from released()

            def with_body(doc: FetchedDocument) -> FetchedDocument:
                read = read_record(archive_dir, str(doc.warc_file), int(doc.warc_offset or 0))
                return replace(read, images=doc.images)  # the pictures the walk found and looked up

            # Extracted on every core, stored in the order the archive holds them.
            results: Iterable[tuple[CachedRows | None, ProcessedDocument, bool]] = (
                processed_in_order(
                    db,
                    jobs(),
                    chosen,
                    process,
                    extraction_cache,
                    known=writer.known_sha256,
                    settled=_settled,
                    with_body=with_body,
                    archive_dir=archive_dir,
                )
            )
            if progress:
                results = tqdm(results, desc="rebuild", unit=" responses")
            with reader_indexes_dropped(db):  # every row is new: the indexes are built once, after
                for cached, processed, extracted in results:
                    # As `archive.versions.ingest` would, in batches.
                    writer.write(
                        processed, agencies.get(processed.document.source_id or ""), cached
                    )
                    summary.failed += processed.outcome == "failed"
                    summary.extracted += extracted
                writer.close()
            summary.copied = writer.copied
            summary.errors.extend(end.errors)
            if extraction_cache is not None:
                summary.cached = extraction_cache.hits
                extraction_cache.put_walks(end.walked)
                # A rebuild reads every document: entries of older extractors will not be read again.
                extraction_cache.prune()
            restore_runs(db, end.metadata, errors=summary.errors)
            refresh_revisits(db, ladder)
            prepare_for_publishing(db)
            summary.reports = db.table("reports").count
    finally:
        if extraction_cache is not None:
            extraction_cache.close()
    return summary
