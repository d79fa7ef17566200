"""Rows written with one prepared statement are stored as sqlite-utils would store them."""

from __future__ import annotations

import datetime

import sqlite_utils

from archive.row_writes import replace_rows, upsert_rows

ROWS = [
    {"id": "a", "when": datetime.date(2021, 1, 29), "urls": ["http://x/1", "http://x/2"], "n": 1},
    {"id": "b", "when": None, "urls": {"k": "v"}, "n": 2.5},
]


def _stored(db: sqlite_utils.Database, table: str) -> list[tuple]:
    return db.execute(f"SELECT * FROM [{table}] ORDER BY id").fetchall()


def test_values_sqlite_cannot_bind_are_converted_as_sqlite_utils_converts_them() -> None:
    db = sqlite_utils.Database(memory=True)
    db.table("theirs").insert_all(ROWS, pk="id")
    replace_rows(db, "replaced", ROWS, pk="id")
    upsert_rows(db, "upserted", ROWS, pk="id")
    assert _stored(db, "replaced") == _stored(db, "theirs")
    assert _stored(db, "upserted") == _stored(db, "theirs")


def test_a_none_in_a_kept_column_leaves_the_stored_value() -> None:
    db = sqlite_utils.Database(memory=True)
    upsert_rows(db, "agencies", [{"id": "a", "region": "河南省", "level": "province"}], pk="id")
    upsert_rows(
        db, "agencies", [{"id": "a", "region": None, "level": None}], pk="id", keep_known=["level"]
    )
    assert _stored(db, "agencies") == [("a", None, "province")]
