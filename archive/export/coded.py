"""The long tables of the slim download stored small: each repeated string once, rows of numbers.

`metrics` and `checks` hold most of a database's bytes (about 200 numbers and 50 checks a report,
each row repeating its report id, its key or rule, and for checks a description and evidence text
shared by many reports). In the slim file each such text column holds a number into a table of
strings, the rows go into `slim_metrics` / `slim_checks` (keyed as the originals, WITHOUT ROWID),
and a view under the original name joins the strings back: every query, canned query and page
written for `metrics` and `checks` reads the same columns and values.

Two tables of strings: `slim_names` (report ids, keys, rules, verdicts: what queries filter by,
indexed by text, so `WHERE key = ?` starts from the key) and `slim_texts` (details, evidence, raw
cells, boxes: only ever read back, so their index by text lives only while the file is written).
Rows are ordered by key or rule first, then report, with no second index: a lookup by key is a
range of the table, and a lookup by report (the report page) a skip-scan, one seek per key
(a few hundred), which SQLite picks once `ANALYZE` has counted the keys. An index by key, as the
full database has, would cost as many bytes as the rows' own numbers.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

NAMES = "slim_names"
TEXTS = "slim_texts"
_TEXTS_LOOKUP = "slim_texts_lookup"


@dataclass(frozen=True)
class Coding:
    """How one table is stored: its coded copy, its columns coded by `slim_names` (filtered on)
    and by `slim_texts` (only read back), the key column its rows are ordered by first, and a
    text column (printed) stored as 0 when it reads as the number column (value) does."""

    table: str
    names: tuple[str, ...]
    texts: tuple[str, ...]
    leading: str
    printed_as: tuple[str, str] | None = None


CODED = {
    # Most cells are printed as their number reads ('12' for 12.0): 0 then, which SQLite stores
    # in no bytes at all, instead of a number into slim_texts.
    "metrics": Coding(
        "slim_metrics", ("report_id", "key"), ("raw", "bbox"), "key", ("raw", "value")
    ),
    "checks": Coding(
        "slim_checks",
        ("report_id", "rule", "severity", "verdict"),
        ("detail", "evidence"),
        "rule",
    ),
}


def _table_info(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, int]]:
    """(name, declared type, position in the primary key: 0 when not in it) of each column."""
    rows = conn.execute(f"PRAGMA full.table_info([{table}])").fetchall()
    return [(row[1], row[2] or "", row[5]) for row in rows]


def create_strings(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TABLE [{NAMES}] (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
    conn.execute(f"CREATE TABLE [{TEXTS}] (n INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    conn.execute(f"CREATE UNIQUE INDEX [{_TEXTS_LOOKUP}] ON [{TEXTS}] (text)")


def finish_strings(conn: sqlite3.Connection) -> None:
    """Drop what only writing needed: the texts' index (as many bytes as the texts)."""
    conn.execute(f"DROP INDEX [{_TEXTS_LOOKUP}]")


def _as_number_reads(column: str) -> str:
    """SQL for the text a number column reads as: '12' for 12.0, '0.5' for 0.5. The same
    expression decides what is stored as 0 and gives it back, so the round trip is exact."""
    return (
        f"(CASE WHEN typeof({column}) = 'real' AND {column} = CAST({column} AS INTEGER) "
        f"THEN CAST(CAST({column} AS INTEGER) AS TEXT) ELSE CAST({column} AS TEXT) END)"
    )


def copy_coded(conn: sqlite3.Connection, table: str) -> int:
    """Copy the attached full database's `table` coded, with its view; returns the rows copied."""
    coding = CODED[table]
    info = _table_info(conn, table)
    columns = [name for name, _, _ in info]
    strings = {name: NAMES for name in coding.names if name in columns}
    strings |= {name: TEXTS for name in coding.texts if name in columns}
    printed, number = coding.printed_as or ("", "")
    same = f"t.[{printed}] IS {_as_number_reads(f't.[{number}]')}"
    for column, into in strings.items():
        conn.execute(
            f"INSERT OR IGNORE INTO [{into}] (text) "
            f"SELECT DISTINCT t.[{column}] FROM full.[{table}] t "
            f"WHERE t.[{column}] IS NOT NULL{f' AND NOT ({same})' if column == printed else ''}"
        )
    keys = [name for name, _, position in sorted(info, key=lambda c: c[2]) if position]
    keys.sort(key=lambda name: name != coding.leading)
    definitions = [
        f"[{name}] {'INTEGER' if name in strings else declared}".rstrip()
        for name, declared, _ in info
    ]
    definitions.append(f"PRIMARY KEY ({', '.join(f'[{k}]' for k in keys)})")
    conn.execute(f"CREATE TABLE [{coding.table}] ({', '.join(definitions)}) WITHOUT ROWID")
    selected = [
        f"(SELECT n FROM [{strings[name]}] WHERE text = t.[{name}])"
        if name in strings
        else f"t.[{name}]"
        for name in columns
    ]
    if printed in columns:
        selected[columns.index(printed)] = (
            f"CASE WHEN {same} THEN 0 ELSE {selected[columns.index(printed)]} END"
        )
    names = ", ".join(f"[{name}]" for name in columns)
    conn.execute(
        f"INSERT INTO [{coding.table}] ({names}) SELECT {', '.join(selected)} FROM full.[{table}] t"
    )
    decoded = [
        f"[s_{name}].text AS [{name}]" if name in strings else f"c.[{name}] AS [{name}]"
        for name in columns
    ]
    if printed in columns:
        decoded[columns.index(printed)] = (
            f"CASE WHEN c.[{printed}] = 0 THEN {_as_number_reads(f'c.[{number}]')} "
            f"ELSE [s_{printed}].text END AS [{printed}]"
        )
    # Key columns are never NULL: an inner join lets SQLite start from the string looked up.
    joins = " ".join(
        f"{'' if name in keys else 'LEFT '}JOIN [{into}] [s_{name}] ON [s_{name}].n = c.[{name}]"
        for name, into in strings.items()
    )
    conn.execute(
        f"CREATE VIEW [{table}] AS SELECT {', '.join(decoded)} FROM [{coding.table}] c {joins}"
    )
    return int(conn.execute(f"SELECT count(*) FROM [{coding.table}]").fetchone()[0])
