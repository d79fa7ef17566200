"""The search indexes of a large database built in a process of their own, while this one does the
rest of publishing.

Both FTS5 indexes over reports (`archive.publish.search`) are rebuilt whole at each publish: for a
warm rebuild of 4,000 reports, 1.2 of its 5.7 s, on one core while the other idled. `SearchApart`
starts a process that copies the reports' titles and texts from the database file (read-only,
in one statement: the writer here waits a fraction of a second at most for a commit) and builds
both indexes in that scratch database beside it, inserting the same rows the same way as `search.refresh_search`. Once
the rest of publishing is done, `adopt` creates the two virtual tables here and copies their
shadow tables (the index's own rows) from the scratch file, as SQLite's `.dump` does for FTS5
tables: 0.14 s instead of 1.2. The reports' titles and texts must not change meanwhile (the rest of
publishing updates only flags and counts of reports).

If the process fails, the indexes are built here instead (`refresh_search`) and the failure logged:
the database is the same either way, only later.
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from archive.database import unlink_database
from archive.publish.search import (
    SEARCH_TABLES,
    create_search_tables,
    index_reports,
    refresh_search,
    report_texts,
)

logger = logging.getLogger(__name__)

# Below this many reports the process's start (≈ 0.3 s) costs more than building here.
APART_MIN_REPORTS = 1_000
# The writer here may hold its lock for a long transaction (an index build): the reader waits.
READ_TIMEOUT_S = 600.0


def build_search_file(source: str, scratch: str) -> None:
    """In the child: both indexes of the reports in the database at `source`, written into a new
    database at `scratch`."""
    out = sqlite_utils.Database(sqlite3.connect(f"file:{quote(scratch)}", uri=True))
    out.execute("PRAGMA journal_mode = OFF")
    out.execute("PRAGMA synchronous = OFF")
    try:
        # The titles and texts copied first, in one statement: the source is read (and its
        # writer kept from committing) for a fraction of a second, not the whole build.
        out.execute(f"PRAGMA busy_timeout = {int(READ_TIMEOUT_S * 1000)}")
        out.execute("ATTACH DATABASE ? AS source", [f"file:{quote(source)}?mode=ro"])
        with out.conn:
            # The trigram index names `reports` as its content: here a copy of what it indexes.
            out.execute("CREATE TABLE reports (title TEXT, text TEXT)")
            out.execute(
                "INSERT INTO main.reports (rowid, title, text)"
                " SELECT rowid, title, text FROM source.reports ORDER BY rowid"
            )
        out.execute("DETACH DATABASE source")
        with out.conn:
            create_search_tables(out)
            index_reports(out, report_texts(out.conn))
    finally:
        out.close()


def _database_file(db: sqlite_utils.Database) -> str | None:
    for _, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return path or None  # "" for an in-memory or temporary database
    return None


class SearchApart:
    """Both search indexes of `db`, built in another process from its reports as they are now."""

    def __init__(self, db: sqlite_utils.Database, source: str) -> None:
        if db.conn.in_transaction:
            db.commit()  # the child must see every report
        self.scratch = Path(source).with_name(f".{Path(source).name}.search.partial")
        unlink_database(self.scratch)
        context = multiprocessing.get_context("spawn")  # not the extraction workers' fork server
        self.process = context.Process(
            target=build_search_file, args=(source, str(self.scratch)), daemon=True
        )
        self.process.start()

    def adopt(self, db: sqlite_utils.Database) -> None:
        """Wait for the indexes and copy them into `db` (built here if the process failed)."""
        self.process.join()
        try:
            if self.process.exitcode != 0:
                raise RuntimeError(f"exit code {self.process.exitcode}")
            self._copy(db)
        except (RuntimeError, sqlite3.Error) as exc:
            logger.warning(
                "Search indexes built apart failed (%s): building them here", exc, exc_info=True
            )
            if db.conn.in_transaction:
                db.conn.rollback()
            refresh_search(db)
        finally:
            unlink_database(self.scratch)

    def _copy(self, db: sqlite_utils.Database) -> None:
        built = sqlite_utils.Database(self.scratch)
        try:
            tables = {
                name: sql
                for name, sql in built.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                ).fetchall()
            }
        finally:
            built.close()
        if not all(table in tables for table in SEARCH_TABLES):
            raise RuntimeError("the scratch database lacks the search tables")
        db.execute("ATTACH DATABASE ? AS built", [str(self.scratch)])
        try:
            with db.conn:
                for table in SEARCH_TABLES:
                    # Named with their schema: unqualified, a DROP finds the attached table
                    # when the database has none of that name.
                    db.execute(f"DROP TABLE IF EXISTS main.[{table}]")
                    prefix = f"CREATE VIRTUAL TABLE [{table}]"
                    if not tables[table].startswith(prefix):
                        raise RuntimeError(f"unexpected SQL for {table}: {tables[table][:80]}")
                    # The very SQL the index was built under.
                    db.execute(f"CREATE VIRTUAL TABLE main.[{table}]{tables[table][len(prefix) :]}")
                    for shadow in tables:
                        if shadow.startswith(f"{table}_"):
                            # Whole tables, same shape: SQLite copies the records as they are.
                            db.execute(f"DELETE FROM main.[{shadow}]")
                            db.execute(
                                f"INSERT INTO main.[{shadow}] SELECT * FROM built.[{shadow}]"
                            )
        finally:
            db.execute("DETACH DATABASE built")


@contextmanager
def search_built(db: sqlite_utils.Database) -> Iterator[None]:
    """Both search indexes of `db` rebuilt from its reports by the end of the block: in another
    process meanwhile for a large database in a file, here at the end otherwise."""
    source = _database_file(db)
    apart = None
    if source is not None and db.table("reports").count >= APART_MIN_REPORTS:
        apart = SearchApart(db, source)
    try:
        yield
    except BaseException:
        if apart is not None:
            apart.process.kill()
            apart.process.join()
            unlink_database(apart.scratch)
        raise
    if apart is None:
        refresh_search(db)
    else:
        apart.adopt(db)
