"""The SQLite schema: tables with explicit keys, applied once, recorded, upgradeable."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive.schema import SCHEMA_VERSION, ensure_schema, open_db, schema_version

PRIMARY_KEYS = {
    "agencies": ["id"],
    "sources": ["id"],
    "pages": ["id"],
    "reports": ["id"],
    "metrics": ["report_id", "key"],
    "checks": ["report_id", "rule"],
    "facts": ["report_id", "seq"],
}


def test_open_db_creates_the_directory_and_every_table(tmp_path: Path) -> None:
    db = open_db(tmp_path / "data" / "nianbao.db")
    assert {name: db[name].pks for name in PRIMARY_KEYS} == PRIMARY_KEYS


def test_open_db_uses_wal_and_waits_for_locks(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nianbao.db")
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_metric_values_are_real_numbers(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nianbao.db")
    assert db["metrics"].columns_dict["value"] is float
    assert db["reports"].columns_dict["year"] is int


def test_foreign_keys_link_reports_to_their_rows(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nianbao.db")
    links = {
        (fk.table, fk.column, fk.other_table)
        for name in PRIMARY_KEYS
        for fk in db[name].foreign_keys
    }
    assert {
        ("metrics", "report_id", "reports"),
        ("checks", "report_id", "reports"),
        ("facts", "report_id", "reports"),
        ("reports", "agency_id", "agencies"),
        ("reports", "source_id", "sources"),
        ("pages", "source_id", "sources"),
    } <= links


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "nianbao.db"
    open_db(path).close()
    db = open_db(path)
    ensure_schema(db)
    assert db["_migrations"].count == SCHEMA_VERSION
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_ensure_schema_keeps_existing_rows(tmp_path: Path) -> None:
    path = tmp_path / "nianbao.db"
    db = open_db(path)
    db["agencies"].insert({"id": "a1", "name": "洛阳市民政局"})
    db.close()
    again = sqlite_utils.Database(path)
    ensure_schema(again)
    rows = list(again["agencies"].rows)
    assert [(row["id"], row["name"]) for row in rows] == [("a1", "洛阳市民政局")]


def test_two_connections_can_open_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "nianbao.db"
    first = sqlite_utils.Database(path)
    second = sqlite_utils.Database(path)
    ensure_schema(first)
    ensure_schema(second)
    assert schema_version(second) == SCHEMA_VERSION


def test_missing_rows_column_is_added_to_a_database_made_before_it(tmp_path: Path) -> None:
    from archive.schema import _MIGRATIONS

    old = sqlite_utils.Database(tmp_path / "old.db")
    # The database as the release before the column left it: every step up to _pending_outcome.
    _MIGRATIONS.apply(old, stop_before="0009_missing_rows")
    old["reports"].insert({"id": "r1", "url": "http://x/a.htm", "extraction_status": "ok"})
    assert "missing_rows" not in old["reports"].columns_dict
    ensure_schema(old)
    assert old["reports"].columns_dict["missing_rows"] is str
    assert list(old.query("select id, extraction_status, missing_rows from reports")) == [
        {"id": "r1", "extraction_status": "ok", "missing_rows": None}
    ]
    assert schema_version(old) == SCHEMA_VERSION
