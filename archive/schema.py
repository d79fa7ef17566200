"""The SQLite schema Datasette publishes, created and upgraded by numbered migrations.

Every table has an explicit primary key, so storing the same document twice replaces rather than
duplicates, and a rebuild from the WARC archive gives the same rows as the crawl. Migrations are
recorded in `_migrations` (sqlite-utils' migration sets); add a new step at the end of `_STEPS`,
never edit an applied one.

Foreign keys are declared (Datasette links rows through them) but not enforced: a page is stored the
moment it is fetched, and a rebuild may run without the source file that describes its portal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 30_000


def _initial(db: sqlite_utils.Database) -> None:
    db.table("agencies").create(
        {"id": str, "name": str, "region": str, "level": str},
        pk="id",
        not_null={"name"},
    )
    db.table("sources").create(
        {
            "id": str,
            "agency": str,
            "family": str,
            "region": str,
            "level": str,
            "start_urls": str,  # JSON list
            "allowed_hosts": str,  # JSON list
            "verified": int,
        },
        pk="id",
        not_null={"agency", "family"},
    )
    db.table("pages").create(
        {
            "id": str,
            "url": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "role": str,
            "source_id": str,
            "sha256": str,
            "warc_file": str,
            "warc_offset": int,
            "outcome": str,
            "reason": str,
        },
        pk="id",
        not_null={"url", "outcome"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("reports").create(
        {
            "id": str,
            "url": str,
            "source_id": str,
            "agency_id": str,
            "agency": str,
            "year": int,
            "title": str,
            "doc_type": str,
            "template": str,
            "published": str,
            "fetched_at": str,
            "content_sha256": str,
            "content_type": str,
            "warc_file": str,
            "warc_offset": int,
            "extraction_status": str,
            "status_reason": str,
            "text": str,
            "metric_count": int,
            "failed_checks": int,
        },
        pk="id",
        not_null={"url", "extraction_status"},
        foreign_keys=[("source_id", "sources", "id"), ("agency_id", "agencies", "id")],
    )
    db.table("metrics").create(
        {"report_id": str, "key": str, "value": float, "raw": str},
        pk=("report_id", "key"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("checks").create(
        {
            "report_id": str,
            "rule": str,
            "passed": int,
            "expected": float,
            "printed": float,
            "detail": str,
            "severity": str,
        },
        pk=("report_id", "rule"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("facts").create(
        {
            "report_id": str,
            "seq": int,
            "kind": str,
            "value": float,
            "unit": str,
            "sentence": str,
        },
        pk=("report_id", "seq"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    for table, columns in (
        ("pages", ["url"]),
        ("pages", ["source_id"]),
        ("pages", ["outcome"]),
        ("pages", ["sha256"]),
        ("reports", ["source_id"]),
        ("reports", ["agency_id"]),
        ("reports", ["year"]),
        ("reports", ["extraction_status"]),
        ("reports", ["content_sha256"]),
        ("metrics", ["key", "value"]),
        ("checks", ["rule", "passed"]),
        ("facts", ["kind"]),
    ):
        db.table(table).create_index(columns)


# Append only: position + 1 is the schema version a step brings the database to.
_STEPS: list[Callable[[sqlite_utils.Database], None]] = [_initial]
SCHEMA_VERSION: int = len(_STEPS)

_MIGRATIONS = Migrations("nianbao")
_MIGRATIONS.migrations_table = "_migrations"
for _version, _step in enumerate(_STEPS, start=1):
    _MIGRATIONS(name=f"{_version:04d}{_step.__name__}")(_step)


def schema_version(db: sqlite_utils.Database) -> int:
    """How many of nianbao's migrations `db` has applied."""
    return len(_MIGRATIONS.applied(db))


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Bring `db` up to SCHEMA_VERSION; a no-op when it is there already."""
    if not _MIGRATIONS.pending(db):
        return
    # IMMEDIATE takes the write lock before looking at what is pending, so two processes opening a
    # new database at once do not both run the same migration.
    db.execute("BEGIN IMMEDIATE")
    try:
        _MIGRATIONS.apply(db)
        db.execute(f"PRAGMA user_version = {schema_version(db)}")
    except BaseException:
        db.rollback()
        raise
    db.commit()


def open_db(path: str | Path) -> sqlite_utils.Database:
    """The database at `path` (created, with its directory, if needed), in WAL mode, up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # Crawl pipelines, rebuilds and Datasette may hold the file at once: wait for locks, don't fail.
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    # In WAL mode NORMAL cannot corrupt the file; it only skips an fsync per commit.
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    return db
