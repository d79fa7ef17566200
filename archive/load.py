"""Loading archived documents into the database: extracted on every core, stored in fetch order.

A crawl fetches and archives first: each report document gets a page row with outcome `pending`.
Once the fetching is done, `load_pending` has worker processes (`archive.workers`) read those
documents back from their WARC records and extract them, and stores them with
`archive.versions.ingest` in the order they were fetched, so a new version, an unchanged copy or a
withdrawal is decided exactly as a document-by-document load would decide it. `nianbao load` runs
the same step by hand (a crawl stopped before it loaded), and `nianbao rebuild` streams the whole
archive through `processed_in_order`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from tqdm import tqdm

from archive.database import Batches, known_sha256, open_for_writing, source_agencies
from archive.extraction_cache import ExtractionCache, open_cache
from archive.schema import reader_indexes_dropped
from archive.spool import Spool
from archive.store import page_id, store_page
from archive.versions import CHANGE_NONE, ingest, outcome_stat_keys
from archive.warc_read import WarcReadError, read_record
from archive.workers import (
    Call,
    Extracted,
    ExtractionWorkers,
    Job,
    Ready,
    default_workers,
    extract_job,
    extract_record,
)
from pipeline.extraction.document import (
    DOCUMENT_ROLES,
    OUTCOME_ARCHIVED,
    OUTCOME_FAILED,
    OUTCOME_PENDING,
    FetchedDocument,
)
from pipeline.extraction.outcome import (
    ProcessedDocument,
    needs_extraction,
)

# Loads of at least this many documents may drop the reader indexes meanwhile (`is_bulk`).
BULK_MIN_DOCUMENTS = 1000

Tag = TypeVar("Tag")
Processor = Callable[[FetchedDocument, "str | None", "str | None"], ProcessedDocument]


@dataclass
class LoadSummary:
    documents: int = 0  # documents read back and stored
    spooled: int = 0  # of which extracted while the crawl fetched (`archive.spool`)
    cached: int = 0  # of which taken from the extraction cache (`archive.extraction_cache`)
    extracted: int = 0  # of which extracted now (by the load's workers, or spooled)
    failed: int = 0  # of which recorded as failed (unreadable record, or extraction failed)
    rewrote: bool = False  # report rows written or withdrawn: the published tables are stale
    seconds: float = 0.0
    # The crawl's stats keys (`archive.versions.outcome_stat_keys`), to add to the run's stats.
    stats: Counter[str] = field(default_factory=Counter)


def _as_of_now(
    db: sqlite_utils.Database,
    job: Job,
    processed: ProcessedDocument,
    with_body: Callable[[FetchedDocument], FetchedDocument] | None = None,
    known: Callable[[str], str | None] | None = None,
    archive_dir: str | Path | None = None,
) -> ProcessedDocument:
    """`processed` as `process_fetched` would decide it against the database as it is now.

    A job is sent with the stored version's hash of its time; an earlier document of the same
    stream, stored since, may have changed that version (a URL fetched twice). `with_body` gives
    the document with its body again when the worker kept the body to itself; `known` stands in
    for `known_sha256` on this database (the rebuild's, which knows what it has written).
    """
    doc, agency, assumed = job
    if not needs_extraction(doc):
        return processed  # settled by status and role alone: no stored version involved
    actual = known(doc.url) if known is not None else known_sha256(db, doc.url)
    # The stored version matters to `process_fetched` only as "the same content" or not.
    if (actual == doc.sha256) == (assumed == doc.sha256):
        return processed
    if actual != doc.sha256 and with_body is not None:
        doc = with_body(doc)  # to be extracted again: the body is needed (rare: a URL twice)
    # Its table pictures, if any, are read back from `archive_dir`.
    where = None if archive_dir is None else str(archive_dir)
    return ProcessedDocument(doc, *extract_job(doc, agency, actual, where))


def processed_in_order(
    db: sqlite_utils.Database,
    jobs: Iterable[tuple[Tag, Job]],
    workers: int,
    process: Processor | None = None,
    cache: ExtractionCache | None = None,
    known: Callable[[str], str | None] | None = None,
    settled: Callable[[Tag], Extracted | None] | None = None,
    with_body: Callable[[FetchedDocument], FetchedDocument] | None = None,
    archive_dir: str | Path | None = None,
) -> Iterator[tuple[Tag, ProcessedDocument, bool]]:
    """What each job's document becomes, in the jobs' order, extracted on `workers` processes
    unless `settled` by its tag or the extraction `cache` has it, and whether it was extracted
    now. `known` stands in for `known_sha256` on `db`; `with_body` gives a document its body again
    (the rebuild's walk may have left it out); a page's table pictures are read from
    `archive_dir`.

    `process` stands in for `pipeline.extraction.outcome.process_fetched`, run here one job after
    another, without the cache (tests only).
    """
    if process is not None:
        for tag, job in jobs:
            yield tag, process(*job), needs_extraction(job[0], job[2])
        return
    with ExtractionWorkers(workers) as pool:
        for tag, job, (outcome, reason, report), extracted in pool.map(
            jobs, cache, settled, None if archive_dir is None else str(archive_dir)
        ):
            processed = ProcessedDocument(job[0], outcome, reason, report)
            yield tag, _as_of_now(db, job, processed, with_body, known, archive_dir), extracted


def mark_pending(db: sqlite_utils.Database, doc: FetchedDocument) -> None:
    """Mark the page row of `doc` (written as it was archived) for `load_pending`; the row is
    otherwise complete, so this is the cheapest write the fetch stage can make."""
    db.execute(
        "UPDATE pages SET outcome = ? WHERE id = ? AND outcome = ?",
        [OUTCOME_PENDING, page_id(doc), OUTCOME_ARCHIVED],
    )


def is_bulk(db: sqlite_utils.Database, documents: int) -> bool:
    """Whether `documents` new ones are many enough, against the reports stored, that building
    the reader indexes again costs less than keeping them up to date row by row."""
    return documents >= BULK_MIN_DOCUMENTS and documents * 2 >= db.table("reports").count


def pending_pages(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Page rows of documents archived and not yet extracted, in the order they were fetched."""
    roles = sorted(DOCUMENT_ROLES)
    return list(
        db.query(
            f"""
            SELECT url, status, fetched_at, content_type, role, source_id, sha256,
                   warc_file, warc_offset, run_id
            FROM pages
            WHERE outcome = ? AND role IN ({", ".join("?" for _ in roles)})
              AND warc_file IS NOT NULL
            ORDER BY fetched_at, warc_file, warc_offset
            """,
            [OUTCOME_PENDING, *roles],
        )
    )


def _unreadable(page: dict[str, Any]) -> FetchedDocument:
    """The page row's own account of a document whose WARC record cannot be read back."""
    return FetchedDocument(
        url=page["url"],
        status=page["status"],
        body=b"",
        headers={"content-type": page["content_type"] or ""},
        fetched_at=page["fetched_at"],
        source_id=page["source_id"],
        role=page["role"],
        warc_file=page["warc_file"],
        warc_offset=page["warc_offset"],
        sha256=page["sha256"] or "",
        run_id=page["run_id"],
    )


def load_pending(
    db_path: str | Path,
    archive_dir: str | Path,
    *,
    workers: int | None = None,
    progress: bool = False,
    spool: Spool | None = None,
    cache: bool = True,
) -> LoadSummary:
    """Extract and store every document of `db_path` awaiting extraction, reading `archive_dir`.

    A document with an extraction in `spool` (made while the crawl fetched, `archive.spool`) is
    not read back nor extracted again; one whose report is in the archive's extraction cache
    (`archive.extraction_cache`, unless `cache` is False) is read back by a worker but not
    extracted again. What is extracted goes into the cache. A record that cannot be read back is
    recorded as failed with the reason, never skipped.
    """
    started = time.perf_counter()
    summary = LoadSummary()
    db = open_for_writing(db_path)
    extraction_cache: ExtractionCache | None = None
    try:
        batches = Batches(db)
        agencies = source_agencies(db)
        pages = pending_pages(db)
        if not pages:
            return summary
        extraction_cache = open_cache(archive_dir, cache)
        cache_ref = extraction_cache.ref if extraction_cache is not None else None

        def count(doc: FetchedDocument, change: str, outcome: str, reason: str) -> None:
            summary.documents += 1
            summary.failed += outcome == OUTCOME_FAILED
            summary.stats.update(outcome_stat_keys(doc.source_id, change, outcome, reason))

        def calls() -> Iterator[tuple[tuple[dict[str, Any], str | None, str | None], Call]]:
            for page in pages:
                agency = agencies.get(page["source_id"] or "")
                ahead = spool.take(page, agency) if spool is not None else None
                if ahead is not None:
                    summary.spooled += 1
                    # Made assuming no stored version; `_as_of_now` decides against the stored one.
                    yield (page, agency, None), Ready((*ahead, False))
                    continue
                known = known_sha256(db, page["url"])
                where = (str(archive_dir), page["warc_file"], page["warc_offset"])
                call = (*where, agency, known, cache_ref, str(db_path))
                yield (page, agency, known), (extract_record, call)

        def with_body(doc: FetchedDocument) -> FetchedDocument:
            read = read_record(archive_dir, str(doc.warc_file), int(doc.warc_offset or 0))
            return replace(read, images=doc.images)  # the table pictures the worker paired

        def stored(
            page: dict[str, Any], agency: str | None, known: str | None, result: Any
        ) -> None:
            if isinstance(result, WarcReadError):
                reason = f"archived record unreadable: {result}"
                failed = _unreadable(page)
                batches.write(store_page, failed, OUTCOME_FAILED, reason)
                count(failed, CHANGE_NONE, OUTCOME_FAILED, reason)
                return
            doc, extracted, from_cache = result
            report = extracted[2]
            if from_cache:
                summary.cached += 1
            elif report is not None:
                # Extracted now, by a worker or ahead of the load: kept for the next time.
                summary.extracted += 1
                if extraction_cache is not None:
                    extraction_cache.put(doc, agency, report)
            processed = _as_of_now(
                db,
                (doc, agency, known),
                ProcessedDocument(doc, *extracted),
                with_body,
                archive_dir=archive_dir,
            )
            written = batches.write(ingest, processed)
            summary.rewrote |= written.rewrote
            count(doc, written.change, processed.outcome, processed.reason)

        chosen = default_workers() if workers is None else workers
        with (
            ExtractionWorkers(chosen) as pool,
            reader_indexes_dropped(db) if is_bulk(db, len(pages)) else nullcontext(),
        ):
            results = pool.in_order(calls())
            if progress:
                results = tqdm(results, total=len(pages), desc="load", unit=" documents")
            for (page, agency, known), result in results:
                stored(page, agency, known, result)
            batches.commit()
    finally:
        db.close()
        if extraction_cache is not None:
            extraction_cache.close()
    summary.seconds = time.perf_counter() - started
    return summary
