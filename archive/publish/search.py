"""Chinese full-text search over reports: a trigram FTS index for terms of three characters or more,
and a contentless index of overlapping character pairs for one- and two-character terms.

Both are rebuilt whole at each publish, here (`refresh_search`) or, for a large database, in a
process of their own while this one does the rest of publishing (`archive.publish.search_apart`):
the same rows inserted the same way in either, so the same index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np
import sqlite_utils

FTS_TABLE = "reports_fts"
BIGRAM_TABLE = "reports_bigrams"
FTS_COLUMNS = ("title", "text")
SEARCH_TABLES = (FTS_TABLE, BIGRAM_TABLE)
# Rows per statement read and inserted: a few MB of text at a time.
BATCH = 500
_SPACE = ord(" ")

ReportText = tuple[int, str | None, str | None]  # a report's rowid, title and text


def bigrams(text: str | None) -> str:
    """`text` as overlapping two-character tokens separated by spaces (a one-character word as
    itself), for the short-term index. Tokens may be separated by more than one space: the index's
    tokenizer reads the same tokens either way."""
    if not text:
        return ""
    # Every character with the next, in numpy over the text's UTF-32 code points: 0.23 s against
    # 0.56 s for 2,666 reports with str operations per word (the index is rebuilt from every report
    # at each publish). A pair is kept where neither is a space; a character alone where both
    # neighbours are.
    codes = np.frombuffer(" ".join(text.split()).encode("utf-32-le"), dtype=np.uint32)
    if not len(codes):
        return ""
    # np.empty and slices: np.append and np.insert cost as much again as the rest.
    following = np.empty_like(codes)
    following[:-1], following[-1] = codes[1:], _SPACE
    spaced_before = np.empty(len(codes), dtype=bool)
    spaced_before[0], spaced_before[1:] = True, codes[:-1] == _SPACE
    here, then = codes != _SPACE, following != _SPACE
    pair = here & then
    kept = pair | (here & spaced_before & ~then)
    tokens = np.full((int(kept.sum()), 3), _SPACE, dtype=np.uint32)
    tokens[:, 0] = codes[kept]
    tokens[:, 1] = np.where(pair[kept], following[kept], _SPACE)
    return tokens.tobytes().decode("utf-32-le")


def create_search_tables(db: sqlite_utils.Database) -> None:
    """Both indexes, empty (replacing any there)."""
    for table in SEARCH_TABLES:
        db.execute(f"DROP TABLE IF EXISTS [{table}]")
    # No triggers: reports are stored with INSERT OR REPLACE, whose implicit delete fires no delete
    # trigger (unless recursive_triggers is on), so triggers would leave stale index entries. The
    # index is rebuilt whole instead, after every crawl and rebuild. The SQL is sqlite-utils'
    # (`Table.enable_fts`), the form Datasette recognises as the reports' search index; written
    # here because `enable_fts` also fills it, and `index_reports` does that.
    columns = ", ".join(f"[{column}]" for column in FTS_COLUMNS)
    db.execute(
        f"CREATE VIRTUAL TABLE [{FTS_TABLE}] USING FTS5 (\n    {columns},\n"
        "    tokenize='trigram',\n    content=[reports]\n)"
    )
    # A trigram index cannot match one or two characters (诉讼, 复议); this contentless index of
    # overlapping character pairs can, without scanning every report's text.
    db.execute(
        f"CREATE VIRTUAL TABLE [{BIGRAM_TABLE}] USING fts5(title, text, content='', "
        "tokenize='unicode61 remove_diacritics 0')"
    )


def index_reports(db: sqlite_utils.Database, reports: Iterable[list[ReportText]]) -> None:
    """Insert batches of reports into both indexes (created by `create_search_tables`), in the
    caller's transaction."""
    for batch in reports:
        db.conn.executemany(
            f"INSERT INTO [{FTS_TABLE}] (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?)", batch
        )
        db.conn.executemany(
            f"INSERT INTO [{BIGRAM_TABLE}] (rowid, title, text) VALUES (?, ?, ?)",
            [(rowid, bigrams(title), bigrams(text)) for rowid, title, text in batch],
        )


def report_texts(conn: sqlite3.Connection) -> Iterable[list[ReportText]]:
    """Every report's rowid, title and text, in rowid order, `BATCH` at a time (a few MB of text
    in memory, however many reports)."""
    last = 0
    while True:
        batch = conn.execute(
            "SELECT rowid, title, text FROM reports WHERE rowid > ? ORDER BY rowid LIMIT ?",
            [last, BATCH],
        ).fetchall()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def refresh_search(db: sqlite_utils.Database) -> None:
    """Both indexes rebuilt from every report, in this process."""
    with db.conn:
        create_search_tables(db)
        index_reports(db, report_texts(db.conn))
