"""The rebuild's writes: what `archive.versions.ingest` writes, many documents per statement.

`nianbao rebuild` starts from empty derived tables, so most documents are a URL it has not stored
yet: for those, `ingest` writes the page row and, for a report, the rows of its first version,
exactly as `archive.bulk` writes new reports. `RebuildWriter` gathers those rows and writes them
`FLUSH_EVERY` documents per statement instead of one document per savepoint with its look-ups
(the previous version, the metrics it had, the source row). A document whose URL it has already
stored goes through `ingest` itself (versions, metric changes, withdrawals), after the rows
gathered before it, so every table receives its rows in the archive's order, as a document-by-
document rebuild writes them (same rows, same rowids).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlite_utils

from archive import cached_rows
from archive.cached_rows import CONTENT, CachedRows, Content
from archive.database import Batches, known_sha256
from archive.extraction_cache import ExtractionCache, cache_key, cacheable
from archive.page_images import image_bodies
from archive.report_rows import ReportRows, Row, content_rows, head_rows, report_fields, report_id
from archive.row_writes import replace_rows, write_report_rows
from archive.store import page_row
from archive.versions import ingest
from archive.warc_read import read_record
from pipeline.extraction.document import (
    DOCUMENT_ROLES,
    OUTCOME_EXTRACTED,
    OUTCOME_UNCHANGED,
    FetchedDocument,
)
from pipeline.extraction.outcome import ProcessedDocument, process_fetched, processed_from_report

# Documents per statement: large enough that the per-statement cost vanishes, small enough that the
# rows in memory stay a few MB.
FLUSH_EVERY = 200


class RebuildWriter:
    """Writes processed documents in order into a database whose derived tables were emptied."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        batches: Batches,
        cache: ExtractionCache | None = None,
        archive_dir: str | Path | None = None,
    ) -> None:
        self.db = db
        self.archive_dir = archive_dir
        self.batches = batches
        self.cache = cache
        # The cache's rows are read through this connection (one snapshot for a head and its rows).
        self.attached = cache is not None and cache.usable and cached_rows.attach(db, cache.path)
        self.sources = {str(row["id"]): row for row in db.table("sources").rows}
        # Reports this rebuild has stored (or may have: those that went through `ingest`).
        self.stored: set[str] = set()
        self.pages: list[Row] = []
        self.rows = ReportRows()
        # Each new report's metrics, checks and facts: built here, or an entry of the cache.
        self.content: list[Content | _Copied] = []
        self.gathered = 0
        self.copied = 0  # new reports whose content rows were copied from the cache

    def cached_rows(self, doc: FetchedDocument, source_agency: str | None) -> CachedRows | None:
        """The rows the extraction cache keeps for `doc` as a new report, or None."""
        if not self.attached or self.cache is None:
            return None
        return cached_rows.lookup(self.db, cache_key(doc, source_agency, self.cache.version))

    def close(self) -> None:
        """Write what is gathered and let the cache go (after the last `write`)."""
        self.flush()
        self.batches.commit()
        if self.attached:
            cached_rows.detach(self.db)
            self.attached = False

    def known_sha256(self, url: str) -> str | None:
        """`archive.database.known_sha256` on the database as the writes so far leave it."""
        if report_id(url) not in self.stored:
            return None  # nothing stored at this URL since the tables were emptied
        self.flush()
        return known_sha256(self.db, url)

    def write(
        self,
        processed: ProcessedDocument,
        source_agency: str | None = None,
        cached: CachedRows | None = None,
    ) -> None:
        """Store `processed` (of a source whose agency is `source_agency`); `cached` are its rows
        in the cache, found when the job was made, standing in for its report (then None)."""
        doc = processed.document
        rid = report_id(doc.url) if doc.role in DOCUMENT_ROLES else None
        from_cache = (
            cached is not None
            and processed.report is None
            and processed.outcome == OUTCOME_EXTRACTED
        )
        if rid is not None and rid in self.stored:
            if from_cache:  # a URL stored since the job was made: `ingest` needs the report
                processed = self._with_report(processed, source_agency)
            self.flush()
            self.batches.write(ingest, processed)
            return
        # What `ingest` writes when no report is stored at the URL: the page row, and the first
        # version of the report if there is one.
        self.pages.append(page_row(doc, processed.outcome, processed.reason))
        report = processed.report
        fields: Row | None = None
        if rid is None or processed.outcome == OUTCOME_UNCHANGED:
            pass
        elif from_cache and cached is not None and self.cache is not None:
            fields = cached.fields
            self.content.append(_Copied(rid, cached.entry))
            self.cache.hits += 1
            self.copied += 1
        elif report is not None:
            fields = report_fields(report)
            content = content_rows(rid, report)
            self.content.append(content)
            if self.cache is not None and cacheable(report):
                self.cache.put_rows(doc, source_agency, fields, content)
        if rid is not None and fields is not None:
            source = self.sources.get(doc.source_id or "")
            self.rows.extend(
                head_rows(
                    doc,
                    fields,
                    source,
                    version=1,
                    first_seen=doc.fetched_at,
                    version_first_seen=doc.fetched_at,
                )
            )
            self.stored.add(rid)
        self.gathered += 1
        if self.gathered >= FLUSH_EVERY:
            self.flush()

    def _with_report(self, processed: ProcessedDocument, agency: str | None) -> ProcessedDocument:
        """`processed` with its report: from the cache, or extracted again."""
        doc = processed.document
        report = self.cache.get(doc, agency) if self.cache is not None else None
        if report is not None:
            return processed_from_report(doc, report)
        pictures: list[bytes | None] = []
        if self.archive_dir is not None and doc.warc_file:  # its body may have been left out
            read = read_record(self.archive_dir, doc.warc_file, int(doc.warc_offset or 0))
            doc = replace(read, images=doc.images)  # the table pictures the walk paired it with
            pictures = image_bodies(self.archive_dir, doc.images)
        return process_fetched(doc, agency, known_sha256(self.db, doc.url), pictures)

    def flush(self) -> None:
        """Write the rows gathered so far."""
        if not self.gathered:
            return
        pages, rows, content = self.pages, self.rows, self.content
        self.pages, self.rows, self.content, self.gathered = [], ReportRows(), [], 0
        self.batches.write(_write_gathered, pages, rows, content)


@dataclass(frozen=True)
class _Copied:
    """A new report's content rows, to copy from the cache's `entry`."""

    rid: str
    entry: int


def _write_gathered(
    db: sqlite_utils.Database, pages: list[Row], rows: ReportRows, content: list[Content | _Copied]
) -> Any:
    replace_rows(db, "pages", pages, pk="id")
    write_report_rows(db, rows)  # agencies, reports, versions: the content rows follow
    # Table after table, each in the reports' order (their rowids as one report after another).
    for index, (table, (_, pk)) in enumerate(CONTENT.items()):
        built: list[Row] = []
        for item in content:
            if isinstance(item, _Copied):
                replace_rows(db, table, built, pk=pk)
                built = []
                db.execute(cached_rows.copy_sql(table), [item.rid, item.entry])
            else:
                built.extend(item[index])
        replace_rows(db, table, built, pk=pk)
