"""Database helpers of the writers (the crawl's store pipeline, the load, the rebuild): opening a
database for many writes, transactions committed in batches, and the look-ups loading needs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from archive.schema import open_db
from archive.store import current_report

# A document per savepoint, many per transaction: a commit per document was most of a load's time.
COMMIT_EVERY = 200
COMMIT_SECONDS = 1.0
# The writer's page cache (SQLite's default is 2 MiB). The metrics index takes inserts all over its
# key range, and with 2 MiB a 3,000-report crawl's inserts took ≈ 25 % longer (6.4 s against 5.0 s
# replayed alone).
CACHE_MIB = 32
# Helper threads SQLite's sorter may use besides the writer's own.
SORT_THREADS = min(os.cpu_count() or 1, 4) - 1

T = TypeVar("T")


def open_for_writing(path: str | Path) -> sqlite_utils.Database:
    """`archive.schema.open_db` with the page cache a writer of many reports needs."""
    db = open_db(path)
    db.execute(f"PRAGMA cache_size = {-CACHE_MIB * 1024}")
    # Index builds (the reader indexes after a bulk load) sort on more than one core.
    db.execute(f"PRAGMA threads = {SORT_THREADS}")
    return db


@contextmanager
def written_apart(path: str | Path) -> Iterator[tuple[sqlite_utils.Database, bool]]:
    """The database to write at `path`, for a writer that fills it whole (a rebuild), and whether
    it is new.

    Where no database is at `path`, it is written in a scratch file beside it, with its rollback
    journal in memory and no fsync (≈ 1 CPU-s of a 7-s warm rebuild of 2,666 documents went to
    the WAL: every page written twice), then set to WAL mode and renamed into place when the block
    ends without error, so nothing reads a half-written database at `path`; on an error the
    scratch file is deleted. An existing database is written in place, as `open_for_writing` does.
    """
    target = Path(path)
    if target.exists():
        db = open_for_writing(target)
        try:
            yield db, False
        finally:
            db.close()
        return
    scratch = target.with_name(f".{target.name}.partial")
    unlink_database(scratch)
    db = open_for_writing(scratch)
    # MEMORY, not OFF: a savepoint that fails still rolls back; a crash loses only the scratch file.
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    try:
        yield db, True
        if db.conn.in_transaction:
            db.commit()
        db.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        db.close()
        unlink_database(scratch)
        raise
    db.close()
    os.replace(scratch, target)


def unlink_database(path: Path) -> None:
    """Remove a database file and its journal, WAL and shared-memory files, where they are."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def source_agencies(db: sqlite_utils.Database) -> dict[str, str]:
    """Each portal's agency, by source id: extraction's fallback when a report does not say."""
    return {str(row["id"]): str(row["agency"]) for row in db.table("sources").rows}


def known_sha256(db: sqlite_utils.Database, url: str) -> str | None:
    known = current_report(db, url)
    return known["content_sha256"] if known else None


class Batches:
    """Writes grouped into transactions committed every `max_items` writes or after
    `max_seconds`; each write is one savepoint, all of it or none of it."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        max_items: int = COMMIT_EVERY,
        max_seconds: float = COMMIT_SECONDS,
    ) -> None:
        self.db = db
        self.max_items, self.max_seconds = max_items, max_seconds
        self.pending = 0
        self.last_commit = time.monotonic()

    def write(self, store: Callable[..., T], *args: Any) -> T:
        if not self.db.conn.in_transaction:
            # IMMEDIATE: take the write lock up front, never upgrade a read lock mid-transaction.
            self.db.execute("BEGIN IMMEDIATE")
        with self.db.atomic():
            result = store(self.db, *args)
        self.pending += 1
        if self.pending >= self.max_items or time.monotonic() - self.last_commit > self.max_seconds:
            self.commit()
        return result

    def commit(self) -> None:
        if self.db.conn.in_transaction:
            self.db.commit()
        self.pending, self.last_commit = 0, time.monotonic()
