"""Getting a nianbao database ready for Datasette: labels, summaries, views and Chinese search.

`prepare_for_publishing` is idempotent and runs at the end of every crawl and rebuild. It derives
everything it creates from the stored rows (and the metric keys of `pipeline.extraction.keys`), so
running it again after more reports were stored simply refreshes it. Each job has its module:
`labels` (metric_labels), `summaries` (summary tables, views, primary documents), `search` (FTS).
"""

from __future__ import annotations

import sqlite_utils

from archive.cross_year import cross_year_checks
from archive.placement.stored import place_stored_agencies
from archive.publish.labels import metric_label_rows, refresh_metric_labels
from archive.publish.search import FTS_TABLE
from archive.publish.search_apart import search_built
from archive.publish.summaries import (
    SUMMARIES,
    SUMMARY_INDEXES,
    VIEWS,
    mark_primary_documents,
    refresh_summaries,
)
from archive.schema import ensure_reader_indexes

__all__ = ["SUMMARY_INDEXES", "is_prepared", "metric_label_rows", "prepare_for_publishing"]


def is_prepared(db: sqlite_utils.Database) -> bool:
    """Whether `db` has everything `prepare_for_publishing` makes (in this version's shape)."""
    labels = db.table("metric_labels")
    label_columns = set(labels.columns_dict) if labels.exists() else set()
    return (
        FTS_TABLE in db.table_names()
        and set(VIEWS) <= set(db.view_names())
        and set(SUMMARIES) <= set(db.table_names())
        and set(metric_label_rows()[0]) <= label_columns
    )


def prepare_for_publishing(db: sqlite_utils.Database) -> None:
    """Create or refresh metric_labels, the summary tables, the convenience views and the search
    indexes over reports."""
    ensure_reader_indexes(db)  # a load stopped midway may have left them dropped
    # The search indexes take only the reports' titles and texts, which nothing below changes.
    with search_built(db):
        cross_year_checks(db)
        with db.conn:
            place_stored_agencies(db)  # agencies of a database older than their placement
            mark_primary_documents(db)
            refresh_metric_labels(db)
            refresh_summaries(db)
            for name, sql in VIEWS.items():
                db.execute(f"DROP VIEW IF EXISTS [{name}]")
                db.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
