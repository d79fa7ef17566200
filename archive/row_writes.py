"""Writing rows to SQLite with one prepared statement per table, as sqlite-utils would write them.

sqlite-utils' `insert_all`/`upsert` introspect the table on every call, which cost more than the
writes themselves when a crawl stores one report per transaction; these build the statement from
the rows' keys instead and hand every row to one `executemany`, so the same functions serve one
report (`archive.store`) and a batch of thousands (`archive.bulk`). A database without our schema
(a caller's own) gets the table created as sqlite-utils would create it.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed
from sqlite_utils.utils import suggest_column_types

from archive.placement import PLACEMENT_COLUMNS
from archive.report_rows import ReportRows, Row

# Values SQLite takes as they are; anything else is converted as sqlite-utils would (JSON, ISO dates).
_PLAIN_VALUES = frozenset({str, int, float, bytes, type(None)})

# What an agency row leaves as stored when it does not know it (None): a known agency keeps the
# region and level it has unless its own portal gives them, and its placement unless its name
# places it (its own portal's region may have settled a name several divisions share).
_AGENCY_KEEPS_KNOWN = ("region", *PLACEMENT_COLUMNS)


def no_such_table(exc: sqlite3.OperationalError) -> bool:
    """A database without the schema (a caller's own)."""
    return "no such table" in str(exc)


def _values(rows: Sequence[Row], columns: Sequence[str]) -> list[Sequence[Any]]:
    """Each row's values in `columns` order, as SQLite binds them: anything else converted as
    sqlite-utils would."""
    pick = operator.itemgetter(*columns)
    values = [pick(row) for row in rows] if len(columns) > 1 else [(pick(row),) for row in rows]
    # Conversions are rare (a JSON list, a date): one look at every value's type, then none.
    if _PLAIN_VALUES.issuperset({type(value) for row in values for value in row}):
        return values
    return [
        [v if type(v) in _PLAIN_VALUES else jsonify_if_needed(v) for v in row] for row in values
    ]


def _execute(
    db: sqlite_utils.Database,
    table: str,
    sql: str,
    rows: Sequence[Row],
    columns: Sequence[str],
    pk: str | tuple[str, ...],
) -> None:
    values = _values(rows, columns)
    try:
        db.conn.executemany(sql, values)
    except sqlite3.OperationalError as exc:
        if not no_such_table(exc):
            raise
        db.table(table).create(suggest_column_types(rows), pk=pk)
        db.conn.executemany(sql, values)


def _column_list(columns: Iterable[str]) -> str:
    return ", ".join(f"[{column}]" for column in columns)


def replace_rows(
    db: sqlite_utils.Database, table: str, rows: Iterable[Row], pk: str | tuple[str, ...]
) -> None:
    """INSERT OR REPLACE `rows` (all with the same keys), as `insert_all(replace=True)` would."""
    rows = list(rows)
    if not rows:
        return
    columns = list(rows[0])
    sql = (
        f"INSERT OR REPLACE INTO [{table}] ({_column_list(columns)})"
        f" VALUES ({', '.join('?' for _ in columns)})"
    )
    _execute(db, table, sql, rows, columns, pk)


def upsert_rows(
    db: sqlite_utils.Database,
    table: str,
    rows: Sequence[Row],
    pk: str | tuple[str, ...],
    keep_known: Sequence[str] = (),
) -> None:
    """Insert `rows` (all with the same keys), or update each stored row's columns named in them,
    as sqlite-utils' `upsert` would; a None in a `keep_known` column leaves the stored value."""
    if not rows:
        return
    keys = (pk,) if isinstance(pk, str) else pk
    columns = list(rows[0])
    updates = [
        f"[{c}] = coalesce(excluded.[{c}], [{table}].[{c}])"
        if c in keep_known
        else f"[{c}] = excluded.[{c}]"
        for c in columns
        if c not in keys
    ]
    sql = (
        f"INSERT INTO [{table}] ({_column_list(columns)})"
        f" VALUES ({', '.join('?' for _ in columns)})"
        f" ON CONFLICT ({_column_list(keys)}) DO "
        + (f"UPDATE SET {', '.join(updates)}" if updates else "NOTHING")
    )
    _execute(db, table, sql, rows, columns, pk)


def write_agencies(db: sqlite_utils.Database, rows: Sequence[Row]) -> None:
    """The one way agencies are written (`archive.report_rows.agency_row` builds the rows): new
    ones inserted, known ones keeping the region and level they have where a row has None."""
    upsert_rows(db, "agencies", rows, pk="id", keep_known=_AGENCY_KEEPS_KNOWN)


def write_report_rows(db: sqlite_utils.Database, rows: ReportRows) -> None:
    """Write the rows of one report or of a batch of new ones (`archive.report_rows.report_rows`);
    the caller holds the transaction and has deleted a re-stored report's old metrics, checks and
    facts."""
    write_agencies(db, rows.agencies)
    replace_rows(db, "reports", rows.reports, pk="id")
    upsert_rows(db, "report_versions", rows.report_versions, pk=("report_id", "version"))
    replace_rows(db, "metrics", rows.metrics, pk=("report_id", "key"))
    # A rule evaluated twice keeps its last verdict (the primary key is report + rule).
    replace_rows(db, "checks", rows.checks, pk=("report_id", "rule"))
    replace_rows(db, "facts", rows.facts, pk=("report_id", "seq"))
