"""The long tables of the slim download stored small: each repeated string once, rows of numbers.

`metrics` and `checks` hold most of a database's bytes (about 200 numbers and 50 checks a report,
each row repeating its report id, its key or rule, and for checks a description and evidence text
shared by many reports). In the slim file each such text column holds a number into one table of
strings (`slim_strings`), the rows go into `slim_metrics` / `slim_checks` (keyed as the originals,
WITHOUT ROWID), and a view under the original name joins the strings back: every query,
canned query and page written for `metrics` and `checks` reads the same columns and values.

Lookups stay fast both ways: by report (the coded key's first column) and by key or rule (an
index on the coded column, as the full database has one on `metrics.key`).
"""

from __future__ import annotations

import sqlite3

STRINGS = "slim_strings"
# Table → (its coded copy, the text columns coded, the coded columns to index for lookups by them).
CODED: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "metrics": ("slim_metrics", ("report_id", "key", "raw", "bbox"), ("key",)),
    "checks": (
        "slim_checks",
        ("report_id", "rule", "detail", "severity", "verdict", "evidence"),
        ("rule",),
    ),
}


def _table_info(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, int]]:
    """(name, declared type, position in the primary key: 0 when not in it) of each column."""
    rows = conn.execute(f"PRAGMA full.table_info([{table}])").fetchall()
    return [(row[1], row[2] or "", row[5]) for row in rows]


def create_strings(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TABLE [{STRINGS}] (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")


def copy_coded(conn: sqlite3.Connection, table: str) -> int:
    """Copy the attached full database's `table` coded, with its view; returns the rows copied."""
    coded_name, text_columns, indexed = CODED[table]
    info = _table_info(conn, table)
    coded = [name for name, _, _ in info if name in text_columns]
    for column in coded:
        conn.execute(
            f"INSERT OR IGNORE INTO [{STRINGS}] (text) "
            f"SELECT DISTINCT [{column}] FROM full.[{table}] WHERE [{column}] IS NOT NULL"
        )
    keys = [name for name, _, position in sorted(info, key=lambda c: c[2]) if position]
    definitions = [
        f"[{name}] {'INTEGER' if name in coded else declared}".rstrip()
        for name, declared, _ in info
    ]
    definitions.append(f"PRIMARY KEY ({', '.join(f'[{k}]' for k in keys)})")
    conn.execute(f"CREATE TABLE [{coded_name}] ({', '.join(definitions)}) WITHOUT ROWID")
    selected = [
        f"(SELECT n FROM [{STRINGS}] WHERE text = t.[{name}])" if name in coded else f"t.[{name}]"
        for name, _, _ in info
    ]
    names = ", ".join(f"[{name}]" for name, _, _ in info)
    conn.execute(
        f"INSERT INTO [{coded_name}] ({names}) SELECT {', '.join(selected)} FROM full.[{table}] t"
    )
    for column in indexed:
        if column in coded:
            conn.execute(f"CREATE INDEX [idx_{coded_name}_{column}] ON [{coded_name}] ([{column}])")
    decoded = [
        f"[s_{name}].text AS [{name}]" if name in coded else f"c.[{name}] AS [{name}]"
        for name, _, _ in info
    ]
    # Key columns are never NULL: an inner join lets SQLite start from the string looked up.
    joins = " ".join(
        f"{'' if name in keys else 'LEFT '}JOIN [{STRINGS}] [s_{name}] ON [s_{name}].n = c.[{name}]"
        for name in coded
    )
    conn.execute(
        f"CREATE VIEW [{table}] AS SELECT {', '.join(decoded)} FROM [{coded_name}] c {joins}"
    )
    return int(conn.execute(f"SELECT count(*) FROM [{coded_name}]").fetchone()[0])
