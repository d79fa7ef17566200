"""The crawl process's one SQLite connection, committing many documents per transaction.

A commit per document (and per page row) made the store pipeline the crawl's bottleneck once
extraction left the reactor thread: each one is a WAL write and a lock round trip. Here writes join
one open transaction that is committed every `max_items` documents or `max_seconds`, and when the
last user closes. Each document is still all-or-nothing (its writes run in a savepoint).

What a kill -9 loses is at most the uncommitted batch, and nothing is lost for good: the WARC
archive already holds those responses (it is written first), a rebuild reads them from there, and
the next crawl fetches again every report the database does not know.

The spiders of one crawl process (one per site family) share the connection, so they never wait on
each other's write lock from the one reactor thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from twisted.internet import task

from archive.database import Batches, open_for_writing
from pipeline.shared import SharedByKey

logger = logging.getLogger(__name__)

T = TypeVar("T")


class BatchedDatabase:
    """A connection whose writes are grouped into transactions committed by count or by time
    (`archive.database.Batches`), and committed on a timer too, so a lull in the crawl does not keep
    its last writes from readers."""

    def __init__(self, path: str | Path, max_items: int = 200, max_seconds: float = 0.5) -> None:
        self.path = str(path)
        self.db: sqlite_utils.Database = open_for_writing(path)
        self.batches = Batches(self.db, max_items, max_seconds)
        # Set by writers whose rows change what is published (summaries, search indexes).
        self.reports_changed = False
        self._timer = task.LoopingCall(self.commit)
        self._timer.start(max_seconds, now=False)

    def write(self, store: Callable[..., T], *args: Any) -> T:
        """`store(db, *args)` inside the open batch, as one savepoint: all of it or none of it."""
        result: T = self.batches.write(store, *args)
        return result

    def commit(self) -> None:
        self.batches.commit()

    def close(self, before_close: Callable[[sqlite_utils.Database], None] | None = None) -> None:
        """Commit what is pending, run `before_close` on the connection, and close it."""
        if self._timer.running:
            self._timer.stop()
        self.commit()
        if before_close is not None:
            before_close(self.db)
        self.db.close()


_shared: SharedByKey[BatchedDatabase] = SharedByKey()


def acquire_database(path: str | Path) -> BatchedDatabase:
    """The process's batched connection to `path`; pair each call with `release_database`."""
    return _shared.acquire(str(Path(path).resolve()), lambda: BatchedDatabase(path))


def release_database(
    database: BatchedDatabase,
    before_close: Callable[[sqlite_utils.Database], None] | None = None,
) -> None:
    """Let go of `database`; the last user commits, runs `before_close` and closes it."""
    if _shared.release(str(Path(database.path).resolve())):
        database.close(before_close)
    else:
        database.commit()
