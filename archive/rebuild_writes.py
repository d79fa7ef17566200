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

from typing import Any

import sqlite_utils

from archive.database import Batches, known_sha256
from archive.report_rows import ReportRows, Row, report_id, report_rows
from archive.row_writes import replace_rows, write_report_rows
from archive.store import page_row
from archive.versions import ingest
from pipeline.extraction.document import DOCUMENT_ROLES, OUTCOME_UNCHANGED
from pipeline.extraction.outcome import ProcessedDocument

# Documents per statement: large enough that the per-statement cost vanishes, small enough that the
# rows in memory stay a few MB.
FLUSH_EVERY = 200


class RebuildWriter:
    """Writes processed documents in order into a database whose derived tables were emptied."""

    def __init__(self, db: sqlite_utils.Database, batches: Batches) -> None:
        self.db = db
        self.batches = batches
        self.sources = {str(row["id"]): row for row in db.table("sources").rows}
        # Reports this rebuild has stored (or may have: those that went through `ingest`).
        self.stored: set[str] = set()
        self.pages: list[Row] = []
        self.rows = ReportRows()
        self.gathered = 0

    def known_sha256(self, url: str) -> str | None:
        """`archive.database.known_sha256` on the database as the writes so far leave it."""
        if report_id(url) not in self.stored:
            return None  # nothing stored at this URL since the tables were emptied
        self.flush()
        return known_sha256(self.db, url)

    def write(self, processed: ProcessedDocument) -> None:
        doc = processed.document
        rid = report_id(doc.url) if doc.role in DOCUMENT_ROLES else None
        if rid is not None and rid in self.stored:
            self.flush()
            self.batches.write(ingest, processed)
            return
        # What `ingest` writes when no report is stored at the URL: the page row, and the first
        # version of the report if there is one.
        self.pages.append(page_row(doc, processed.outcome, processed.reason))
        report = processed.report
        if rid is not None and processed.outcome != OUTCOME_UNCHANGED and report is not None:
            source = self.sources.get(doc.source_id or "")
            self.rows.extend(
                report_rows(
                    doc,
                    report,
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

    def flush(self) -> None:
        """Write the rows gathered so far."""
        if not self.gathered:
            return
        pages, rows = self.pages, self.rows
        self.pages, self.rows, self.gathered = [], ReportRows(), 0
        self.batches.write(_write_gathered, pages, rows)


def _write_gathered(db: sqlite_utils.Database, pages: list[Row], rows: ReportRows) -> Any:
    replace_rows(db, "pages", pages, pk="id")
    write_report_rows(db, rows)
