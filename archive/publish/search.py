"""Chinese full-text search over reports: a trigram FTS index for terms of three characters or more,
and a contentless index of overlapping character pairs for one- and two-character terms.
"""

from __future__ import annotations

import sqlite_utils

FTS_TABLE = "reports_fts"
BIGRAM_TABLE = "reports_bigrams"
FTS_COLUMNS = ("title", "text")


def bigrams(text: str | None) -> str:
    """`text` as space-separated overlapping two-character tokens, for the short-term index."""
    if not text:
        return ""
    # str.__add__ over a word and its tail pairs each character with the next in C (a third of
    # the time zip and join took; the index is rebuilt from every report at each publish).
    add = str.__add__
    return " ".join(
        " ".join(map(add, word, word[1:])) if len(word) > 1 else word for word in text.split()
    )


def refresh_bigram_index(db: sqlite_utils.Database) -> None:
    # A trigram index cannot match one or two characters (诉讼, 复议); this contentless index of
    # overlapping character pairs can, without scanning every report's text.
    db.execute(f"DROP TABLE IF EXISTS [{BIGRAM_TABLE}]")
    db.execute(
        f"CREATE VIRTUAL TABLE [{BIGRAM_TABLE}] USING fts5(title, text, content='', "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    rows = db.execute("SELECT rowid, title, text FROM reports")
    while batch := rows.fetchmany(500):
        db.conn.executemany(
            f"INSERT INTO [{BIGRAM_TABLE}] (rowid, title, text) VALUES (?, ?, ?)",
            [(rowid, bigrams(title), bigrams(text)) for rowid, title, text in batch],
        )


def refresh_fts(db: sqlite_utils.Database) -> None:
    # No triggers: reports are stored with INSERT OR REPLACE, whose implicit delete fires no delete
    # trigger (unless recursive_triggers is on), so triggers would leave stale index entries. The
    # index is rebuilt whole here instead, after every crawl and rebuild.
    db.execute(f"DROP TABLE IF EXISTS [{FTS_TABLE}]")
    db.table("reports").enable_fts(list(FTS_COLUMNS), tokenize="trigram", replace=True)
