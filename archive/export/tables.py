"""The tabular downloads: CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese right) and
Parquet of the tables researchers load into R, pandas or a spreadsheet.

Each file is streamed from the database in batches, so a table of millions of rows never sits in
memory. A column's type comes from its declared type (views keep those of the columns they select);
a computed column without one gets the type of the values it holds.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TABULAR = ("metrics_long", "report_summary", "agencies")
BATCH_ROWS = 50_000
ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "string": pa.string()}


class ExportError(Exception):
    """A table could not be written as asked (a value of the wrong type for its column)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless field type: integer, number or string


def declared_type(declared: str) -> str | None:
    """SQLite's affinity rules, as Frictionless field types; None when nothing is declared."""
    upper = declared.upper()
    if not upper or "BLOB" in upper:
        return None
    if "INT" in upper:
        return "integer"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "string"
    return "number"


def _stored_type(conn: sqlite3.Connection, table: str, column: str) -> str:
    kinds = {
        kind
        for (kind,) in conn.execute(
            f"SELECT DISTINCT typeof([{column}]) FROM [{table}] WHERE [{column}] IS NOT NULL"
        )
    }
    if kinds <= {"integer"}:
        return "integer" if kinds else "string"
    if kinds <= {"integer", "real"}:
        return "number"
    return "string"


def columns_of(conn: sqlite3.Connection, table: str) -> list[Column]:
    """The columns of a table or view with their field types."""
    columns = []
    for _, name, declared, *_ in conn.execute(f"PRAGMA table_info([{table}])"):
        kind = declared_type(declared or "") or _stored_type(conn, table, name)
        columns.append(Column(name, kind))
    return columns


def _batches(conn: sqlite3.Connection, table: str, columns: list[Column]) -> Iterator[list[tuple]]:
    names = ", ".join(f"[{c.name}]" for c in columns)
    cursor = conn.execute(f"SELECT {names} FROM [{table}]")
    while rows := cursor.fetchmany(BATCH_ROWS):
        yield rows


def write_csv(conn: sqlite3.Connection, table: str, path: Path) -> int:
    """`table` as CSV with a header row; returns the rows written."""
    columns = columns_of(conn, table)
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in columns])
        for rows in _batches(conn, table, columns):
            writer.writerows(rows)
            written += len(rows)
    return written


def _arrow_column(values: list, column: Column, table: str) -> pa.Array:
    if column.type == "integer":
        # SQLite hands back 3.0 for a whole number summed from REAL cells.
        values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    try:
        return pa.array(values, type=ARROW_TYPES[column.type])
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise ExportError(f"{table}.{column.name} ({column.type}): {exc}") from exc


def write_parquet(conn: sqlite3.Connection, table: str, path: Path) -> int:
    """`table` as Parquet (zstd); returns the rows written."""
    columns = columns_of(conn, table)
    schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in columns])
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for rows in _batches(conn, table, columns):
            arrays = [
                _arrow_column([row[i] for row in rows], column, table)
                for i, column in enumerate(columns)
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            written += len(rows)
        if not written:
            writer.write_table(schema.empty_table())
    return written
