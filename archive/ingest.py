"""Storing one processed document: its page row and, when extracted, its report — atomically."""

from __future__ import annotations

import sqlite_utils

from archive.store import store_page, store_report
from pipeline.ingest import ProcessedDocument


def ingest(db: sqlite_utils.Database, processed: ProcessedDocument) -> str | None:
    """Write `processed` to the database; returns the report id when a report row was written."""
    store_page(db, processed.document, processed.outcome, processed.reason)
    if processed.report is None:
        return None
    return store_report(db, processed.document, processed.report)
