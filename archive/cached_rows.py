"""The extraction cache's second form of a report: the rows it becomes, ready to copy in SQLite.

A warm `nianbao rebuild` spent most of its time turning cached reports back into rows: unpickling
≈ 200 metric objects a report, a dict per row, every value bound again. For a report stored as the
first version at its URL (almost every document of a rebuild), the metrics, checks and facts rows
depend on the report and its URL alone, so on the cache key (`archive.extraction_cache.cache_key`):
the rebuild keeps them in tables of the cache file (`store`), and its own connection, with the
cache attached read-only (`attach`), copies a report's rows with one INSERT … SELECT per table
(`copy_sql`), in SQLite. The reports row's columns that come from the report
(`archive.report_rows.report_fields`) are kept beside them, in `rows_head`.

An entry is valid for the cache key and `ROWS_VERSION` (a hash of how rows are built: this module
and `archive.report_rows`), so a change to either makes the old entries misses. Read-only attached,
the cache takes no lock from the rebuild's write transactions, and the cache's own connection
(`archive.extraction_cache.ExtractionCache`, the one writer) stores new entries meanwhile. A head
and its rows are written in one transaction, so whoever sees the head sees its rows.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlite_utils

from archive import report_rows
from archive.report_rows import Row
from archive.row_writes import bound_values

# The schema name the rebuild's connection gives the attached cache.
ATTACHED = "extraction_cache"
HEAD = "rows_head"
# Each content table, with its columns after report_id (the order `report_rows.content_rows`
# makes them in), and its primary key in the database.
CONTENT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "metrics": (("key", "value", "raw", "page", "bbox", "confidence"), ("report_id", "key")),
    "checks": (
        ("rule", "passed", "expected", "printed", "detail", "severity", "verdict", "evidence"),
        ("report_id", "rule"),
    ),
    "facts": (("seq", "kind", "value", "unit", "sentence"), ("report_id", "seq")),
}
ROWS_VERSION = hashlib.sha256(
    Path(report_rows.__file__).read_bytes() + Path(__file__).read_bytes()
).hexdigest()[:16]

# A report's content rows: metrics, checks and facts, as `report_rows.content_rows` makes them.
Content = tuple[list[Row], list[Row], list[Row]]


@dataclass(frozen=True)
class CachedRows:
    """A report's rows in the cache: its entry there, and its `report_fields`."""

    entry: int
    fields: Row


def _columns(columns: tuple[str, ...]) -> str:
    return ", ".join(f"[{column}]" for column in columns)


def create_tables(db: sqlite_utils.Database) -> None:
    """The row tables of a cache file (a no-op when it has them)."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS [{HEAD}] (entry INTEGER PRIMARY KEY AUTOINCREMENT,"
        " key TEXT NOT NULL UNIQUE, version TEXT NOT NULL, fields BLOB NOT NULL)"
    )
    for table, (columns, _) in CONTENT.items():
        db.execute(
            f"CREATE TABLE IF NOT EXISTS [rows_{table}] (entry INTEGER NOT NULL, n INTEGER NOT"
            f" NULL, {_columns(columns)}, PRIMARY KEY (entry, n)) WITHOUT ROWID"
        )


def store(conn: sqlite3.Connection, key: str, fields: Row, content: Content) -> None:
    """Keep `fields` and `content` under `key` (in the caller's transaction), replacing what an
    older version of the row building kept there."""
    old = conn.execute(f"SELECT entry FROM [{HEAD}] WHERE key = ?", [key]).fetchone()
    if old is not None:
        _delete(conn, f"= {int(old[0])}")
    blob = zlib.compress(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL), 1)
    cursor = conn.execute(
        f"INSERT INTO [{HEAD}] (key, version, fields) VALUES (?, ?, ?)",
        [key, ROWS_VERSION, blob],
    )
    entry = cursor.lastrowid
    for (table, (columns, _)), rows in zip(CONTENT.items(), content, strict=True):
        if not rows:
            continue
        places = ", ".join("?" for _ in range(len(columns) + 2))
        conn.executemany(
            f"INSERT INTO [rows_{table}] (entry, n, {_columns(columns)}) VALUES ({places})",
            [(entry, n, *values) for n, values in enumerate(bound_values(rows, columns))],
        )


def _delete(conn: sqlite3.Connection, entries: str) -> None:
    for table in CONTENT:
        conn.execute(f"DELETE FROM [rows_{table}] WHERE entry {entries}")
    conn.execute(f"DELETE FROM [{HEAD}] WHERE entry {entries}")


def prune(conn: sqlite3.Connection, keys_table: str) -> None:
    """Delete the entries of another version of the row building, and those whose key is not in
    `keys_table` (the pickled reports' table: entries of other extractors went from it)."""
    deleted = conn.execute(
        f"DELETE FROM [{HEAD}] WHERE version != ? OR key NOT IN (SELECT key FROM [{keys_table}])",
        [ROWS_VERSION],
    ).rowcount
    if not deleted:
        return  # `store` deletes the rows of a head it replaces: none left without their head
    for table in CONTENT:
        conn.execute(f"DELETE FROM [rows_{table}] WHERE entry NOT IN (SELECT entry FROM [{HEAD}])")


def attach(db: sqlite_utils.Database, path: Path) -> bool:
    """Attach the cache file at `path` to `db`'s connection, read-only, as ATTACHED; False when it
    cannot be (then the rebuild goes without its rows). Outside a transaction only."""
    uri_names = ("USE_URI",) in db.execute("PRAGMA compile_options").fetchall()
    if not uri_names or db.conn.in_transaction or not path.exists():
        return False  # without URI names, "mode=ro" would be part of a file name
    try:
        db.execute(f"ATTACH DATABASE ? AS {ATTACHED}", [f"file:{quote(str(path))}?mode=ro"])
    except sqlite3.Error:
        return False
    try:
        db.execute(f"SELECT entry FROM {ATTACHED}.[{HEAD}] LIMIT 1").fetchall()
    except sqlite3.Error:
        detach(db)
        return False
    return True


def detach(db: sqlite_utils.Database) -> None:
    if db.conn.in_transaction:
        db.commit()
    db.execute(f"DETACH DATABASE {ATTACHED}")


def lookup(db: sqlite_utils.Database, key: str) -> CachedRows | None:
    """The rows kept under `key` in the cache attached to `db`, or None (none, another version,
    or unreadable: a miss)."""
    try:
        row = db.execute(
            f"SELECT entry, fields FROM {ATTACHED}.[{HEAD}] WHERE key = ? AND version = ?",
            [key, ROWS_VERSION],
        ).fetchone()
        if row is None:
            return None
        fields: Any = pickle.loads(zlib.decompress(row[1]))
    except Exception:  # noqa: BLE001 - a damaged entry is a miss
        return None
    return CachedRows(int(row[0]), fields) if isinstance(fields, dict) else None


def copy_sql(table: str) -> str:
    """INSERT OR REPLACE (as `archive.row_writes.replace_rows` writes) of one entry's rows of
    `table`, in their order; parameters: the report id, the entry."""
    columns = _columns(CONTENT[table][0])
    return (
        f"INSERT OR REPLACE INTO [{table}] (report_id, {columns})"
        f" SELECT ?, {columns} FROM {ATTACHED}.[rows_{table}] WHERE entry = ? ORDER BY n"
    )
