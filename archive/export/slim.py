"""The slim download: a small SQLite copy of the published data, for researchers.

It keeps what a question about the reports needs (agencies, reports without their body text,
metrics, checks, facts, versions, labels and the summary tables, with their indexes and the
convenience views) and leaves out what only the archive's own work needs: page records, crawl runs,
the extracted texts and the search indexes over them. Tables are copied with their own CREATE
statements, so primary and foreign keys (the links Datasette draws) and any column another part of
nianbao adds later come along without being listed here. `metrics` and `checks`, most of the
bytes, are stored coded (`coded.py`) and read through views of the same names and columns.

An `export_info` table marks the file as a slim export: `nianbao serve` then serves it as it is
instead of trying to rebuild the search indexes it deliberately lacks.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from archive.export.coded import (
    CODED,
    NAMES,
    TEXTS,
    copy_coded,
    create_strings,
    finish_strings,
)

SLIM_TABLES = (
    "agencies",
    "sources",
    "reports",
    "report_versions",
    "metric_changes",
    "metrics",
    "checks",
    "facts",
    "metric_labels",
    "report_summary",
    "report_totals",
    "active_disclosure_2019",
    "active_disclosure_2021",
)
SLIM_VIEWS = ("metrics_long", "expected_reports")
# A long table keyed by (report_id, …) not coded (coded.py): stored WITHOUT ROWID in the slim file,
# so the primary key is the table itself rather than a second copy of every key in an index.
CLUSTERED = ("facts",)
# Columns whose bytes dominate the full database and which the slim file leaves out.
DROPPED_COLUMNS = {"reports": ("text",)}
# Indexes over these columns are left out: looking a body up by its hash is the archive's own
# de-duplication, not a researcher's question (a full table scan answers it in the slim file).
UNINDEXED_COLUMNS = ("content_sha256", "sha256")
EXPORT_INFO = "export_info"
# The slim file's own tables: how it stores metrics and checks (read through their views), and
# its record of itself.
STORAGE_TABLES = (
    *(coding.table for coding in CODED.values()),
    *(coding.more for coding in CODED.values() if coding.rare),
    NAMES,
    TEXTS,
    EXPORT_INFO,
)
LEFT_OUT = (
    "reports.text (the extracted texts), pages (one row per archived response), crawl_runs, "
    "source_runs, the full-text search indexes (reports_fts, reports_bigrams), metrics.bbox "
    "(where a cell was printed on its page), the evidence of passing checks, the indexes by "
    "SHA-256"
)


def is_slim_export(conn: sqlite3.Connection) -> bool:
    """Whether the open database is a slim export (it has an `export_info` table)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [EXPORT_INFO]
    ).fetchone()
    return found is not None


def _objects(conn: sqlite3.Connection, kind: str) -> dict[str, tuple[str, str]]:
    """{name: (table it belongs to, CREATE statement)} of the attached full database's `kind`."""
    rows = conn.execute(
        "SELECT name, tbl_name, sql FROM full.sqlite_master WHERE type = ? AND sql IS NOT NULL",
        [kind],
    )
    return {name: (table, sql) for name, table, sql in rows}


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info([{table}])")]


def write_slim_db(full_db: Path, out_path: Path) -> dict[str, int]:
    """Write the slim copy of `full_db` to `out_path` (replaced whole, never half-written);
    returns {table: rows copied}."""
    partial = out_path.with_name(f".{out_path.name}.partial")
    partial.unlink(missing_ok=True)
    conn = sqlite3.connect(partial, isolation_level=None)
    counts: dict[str, int] = {}
    try:
        conn.execute("ATTACH DATABASE ? AS full", [f"file:{full_db.resolve()}?mode=ro"])
        tables = _objects(conn, "table")
        conn.execute("BEGIN")
        create_strings(conn)
        for name in SLIM_TABLES:
            if name not in tables:
                continue
            if name in CODED:
                counts[name] = copy_coded(conn, name)
                continue
            create = tables[name][1]
            if name in CLUSTERED and "PRIMARY KEY" in create.upper():
                create = f"{create.rstrip()} WITHOUT ROWID"
            conn.execute(create)
            for column in DROPPED_COLUMNS.get(name, ()):
                if column in _columns(conn, "main", name):
                    conn.execute(f"ALTER TABLE [{name}] DROP COLUMN [{column}]")
            columns = ", ".join(f"[{c}]" for c in _columns(conn, "main", name))
            conn.execute(
                f"INSERT INTO main.[{name}] ({columns}) SELECT {columns} FROM full.[{name}]"
            )
            counts[name] = conn.execute(f"SELECT count(*) FROM main.[{name}]").fetchone()[0]
        for table, sql in _objects(conn, "index").values():
            left_out = (*DROPPED_COLUMNS.get(table, ()), *UNINDEXED_COLUMNS)
            if (
                table in counts
                and table not in CODED
                and not any(f"[{c}]" in sql or f'"{c}"' in sql for c in left_out)
            ):
                conn.execute(sql)
        views = _objects(conn, "view")
        for name in SLIM_VIEWS:
            if name in views:
                conn.execute(views[name][1])
        conn.execute(f"CREATE TABLE [{EXPORT_INFO}] (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany(
            f"INSERT INTO [{EXPORT_INFO}] VALUES (?, ?)",
            [
                ("kind", "slim"),
                ("exported_at", datetime.now(UTC).isoformat(timespec="seconds")),
                ("exported_from", full_db.name),
                ("reports", str(counts.get("reports", 0))),
                ("left_out", LEFT_OUT),
            ],
        )
        finish_strings(conn)
        # Row counts per key for the query planner: what lets it skip-scan the coded tables.
        conn.execute("ANALYZE main")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE full")
        conn.execute("VACUUM")
    finally:
        conn.close()
    os.replace(partial, out_path)
    return counts
