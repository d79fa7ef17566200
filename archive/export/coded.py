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

from pipeline.extraction.report import VERDICT_FAIL, VERDICT_PASS, VERDICT_UNVERIFIABLE

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
    # Columns most rows leave at their default (NULL, or `printed_as`'s 0). Rows that do are
    # stored without them in `table`; the others whole in `more`, and the view reads both.
    rare: tuple[str, ...] = ()
    # Columns not copied into the slim file at all (read back as NULL).
    dropped: tuple[str, ...] = ()
    # Rare columns whose default is not NULL: SQL over the row's other columns, `{t}` its alias.
    defaults: tuple[tuple[str, str], ...] = ()
    # Columns kept only where a condition on the row (SQL, `{t}` its alias) holds, NULL elsewhere.
    kept_where: tuple[tuple[str, str], ...] = ()

    @property
    def more(self) -> str:
        return f"{self.table}_more"


CODED = {
    # Most cells are printed as their number reads ('12' for 12.0): 0 then, which SQLite stores
    # in no bytes at all, instead of a number into slim_texts.
    # A cell's box is provenance for the archive's own pages (the highlight on the PDF), not for
    # research: the full database keeps it. Page and confidence stay, in slim_metrics_more with
    # the raw cells that do not read as their value: in a synthetic database one row in eleven.
    "metrics": Coding(
        "slim_metrics",
        ("report_id", "key"),
        ("raw",),
        "key",
        ("raw", "value"),
        rare=("raw", "page", "confidence"),
        dropped=("bbox",),
    ),
    # A check's verdict is the one its `passed` stands for (stored only where it is not). The
    # evidence of a passing check (the numbers of the sum, which metrics hold) is left out: it was
    # five strings in six of slim_texts.
    "checks": Coding(
        "slim_checks",
        ("report_id", "rule", "severity", "verdict"),
        ("detail", "evidence"),
        "rule",
        rare=("verdict",),
        defaults=(
            (
                "verdict",
                f"(CASE WHEN {{t}}.[passed] IS NULL THEN '{VERDICT_UNVERIFIABLE}' "
                f"WHEN {{t}}.[passed] THEN '{VERDICT_PASS}' ELSE '{VERDICT_FAIL}' END)",
            ),
        ),
        kept_where=(("evidence", f"{{t}}.[verdict] IS NOT '{VERDICT_PASS}'"),),
    ),
}


def _table_info(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, int]]:
    """(name, declared type, position in the primary key: 0 when not in it) of each column."""
    rows = conn.execute(f"PRAGMA full.table_info([{table}])").fetchall()
    return [(row[1], row[2] or "", row[5]) for row in rows]


def create_strings(conn: sqlite3.Connection) -> None:
    """The tables of strings, with the few names (keys, rules, verdicts) numbered first: SQLite
    stores a number below 128 in one byte, below 32,768 in two, and they are in every row, where
    the report ids, numbered after them, are thousands of different ones anyway."""
    conn.execute(f"CREATE TABLE [{NAMES}] (n INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
    conn.execute(f"CREATE TABLE [{TEXTS}] (n INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    conn.execute(f"CREATE UNIQUE INDEX [{_TEXTS_LOOKUP}] ON [{TEXTS}] (text)")
    for table, coding in CODED.items():
        columns = {name for name, _, _ in _table_info(conn, table)}
        for column in coding.names:
            if column in columns and column != "report_id":
                _insert_strings(conn, NAMES, table, column)


def _insert_strings(
    conn: sqlite3.Connection, into: str, table: str, column: str, where: str = ""
) -> None:
    """Number the strings of `table`.`column` not numbered yet, the most frequent first."""
    conn.execute(
        f"INSERT OR IGNORE INTO [{into}] (text) SELECT t.[{column}] FROM full.[{table}] t "
        f"WHERE t.[{column}] IS NOT NULL{where} GROUP BY t.[{column}] ORDER BY count(*) DESC"
    )


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
    every = [name for name, _, _ in _table_info(conn, table)]
    info = [column for column in _table_info(conn, table) if column[0] not in coding.dropped]
    columns = [name for name, _, _ in info]
    strings = {name: NAMES for name in coding.names if name in columns}
    strings |= {name: TEXTS for name in coding.texts if name in columns}
    printed, number = coding.printed_as or ("", "")
    same = f"t.[{printed}] IS {_as_number_reads(f't.[{number}]')}"
    defaults = dict(coding.defaults)
    kept_where = {name: where.format(t="t") for name, where in coding.kept_where}
    for column, into in strings.items():
        where = f" AND NOT ({same})" if column == printed else ""
        where += f" AND {kept_where[column]}" if column in kept_where else ""
        _insert_strings(conn, into, table, column, where)
    keys = [name for name, _, position in sorted(info, key=lambda c: c[2]) if position]
    keys.sort(key=lambda name: name != coding.leading)
    rare = [name for name in coding.rare if name in columns]
    # A row is lean when each rare column holds its default: the printed text reading as the
    # number does, or NULL.
    lean_where = " AND ".join(
        same if name == printed else f"t.[{name}] IS {defaults.get(name, 'NULL').format(t='t')}"
        for name in rare
    )
    layouts = [(coding.table, [c for c in columns if c not in rare], lean_where or "1")]
    if rare:
        layouts.append((coding.more, columns, f"NOT ({lean_where})"))
    selected = {
        name: f"(SELECT n FROM [{strings[name]}] WHERE text = t.[{name}])"
        if name in strings
        else f"t.[{name}]"
        for name in columns
    }
    if printed in columns:
        selected[printed] = f"CASE WHEN {same} THEN 0 ELSE {selected[printed]} END"
    for name, where in kept_where.items():
        selected[name] = f"CASE WHEN {where} THEN {selected[name]} END"
    declared = {name: "INTEGER" if name in strings else kind for name, kind, _ in info}
    arms = []
    for stored, stored_columns, where in layouts:
        definitions = [f"[{name}] {declared[name]}".rstrip() for name in stored_columns]
        definitions.append(f"PRIMARY KEY ({', '.join(f'[{k}]' for k in keys)})")
        conn.execute(f"CREATE TABLE [{stored}] ({', '.join(definitions)}) WITHOUT ROWID")
        names = ", ".join(f"[{name}]" for name in stored_columns)
        values = ", ".join(selected[name] for name in stored_columns)
        conn.execute(
            f"INSERT INTO [{stored}] ({names}) SELECT {values} FROM full.[{table}] t WHERE {where}"
        )
        arms.append(_decoding_select(coding, stored, stored_columns, every, strings, keys))
    conn.execute(f"CREATE VIEW [{table}] AS {' UNION ALL '.join(arms)}")
    return sum(
        int(conn.execute(f"SELECT count(*) FROM [{stored}]").fetchone()[0])
        for stored, _, _ in layouts
    )


def _decoding_select(
    coding: Coding,
    stored: str,
    stored_columns: list[str],
    columns: list[str],
    strings: dict[str, str],
    keys: list[str],
) -> str:
    """The SELECT reading `stored` back as the full database's `columns` (those it lacks: their
    default, NULL for a dropped one), strings joined back."""
    printed, number = coding.printed_as or ("", "")
    decoded = []
    for name in columns:
        if name == printed:
            reads = _as_number_reads(f"c.[{number}]")
            decoded.append(
                f"CASE WHEN c.[{printed}] = 0 THEN {reads} ELSE [s_{printed}].text END AS [{name}]"
                if name in stored_columns
                else f"{reads} AS [{name}]"
            )
        elif name not in stored_columns:
            default = dict(coding.defaults).get(name, "NULL").format(t="c")
            decoded.append(f"{default} AS [{name}]")
        elif name in strings:
            decoded.append(f"[s_{name}].text AS [{name}]")
        else:
            decoded.append(f"c.[{name}] AS [{name}]")
    # Key columns are never NULL: an inner join lets SQLite start from the string looked up.
    joins = " ".join(
        f"{'' if name in keys else 'LEFT '}JOIN [{into}] [s_{name}] ON [s_{name}].n = c.[{name}]"
        for name, into in strings.items()
        if name in stored_columns
    )
    return f"SELECT {', '.join(decoded)} FROM [{stored}] c {joins}"
