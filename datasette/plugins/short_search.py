"""Table search that works for one- and two-character Chinese terms.

A trigram index cannot match fewer than three characters, so Datasette's own `?_search=诉讼` would
silently find nothing. For such terms this plugin moves the search out of Datasette's way (to
`_short_search`) and filters with LIKE over the table's full-text columns instead: slower, but right.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.filters import FilterArguments

from datasette import hookimpl

SHORT_ARG = "_short_search"
BIGRAM_TABLE = "reports_bigrams"
TRIGRAM = 3


def needs_like(search: str) -> bool:
    """Whether any word of `search` is too short for a trigram index."""
    words = search.split()
    return bool(words) and any(len(word) < TRIGRAM for word in words)


def like_pattern(word: str) -> str:
    """`word` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _move_short_search(request: Any) -> None:
    pairs = parse_qsl(request.query_string, keep_blank_values=True)
    if not any(key == "_search" and needs_like(value) for key, value in pairs):
        return
    # The table view and Datasette's own search filter read the same request: rename the argument
    # so that filter never sees it (links built from the request then carry _short_search along).
    moved = [(SHORT_ARG if key == "_search" else key, value) for key, value in pairs]
    request.scope["query_string"] = urlencode(moved).encode("latin-1")


@hookimpl(tryfirst=True)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    _move_short_search(request)
    search = request.args.get(SHORT_ARG, "")

    async def inner() -> FilterArguments | None:
        if not search.strip():
            return None
        db = datasette.get_database(database)
        fts_table = datasette.table_metadata(database, table).get("fts_table")
        fts_table = fts_table or await db.fts_table(table)
        if not fts_table:
            return None
        columns = [c for c in await db.table_columns(fts_table) if not c.startswith(fts_table)]
        table_columns = set(await db.table_columns(table))
        columns = [c for c in columns if c in table_columns]
        where_clauses, params = [], {}
        # Two-character words of the reports table go through its character-pair index
        # (archive.publish builds it); anything else falls back to LIKE.
        bigram_index = table == "reports" and await db.table_exists(BIGRAM_TABLE)
        for index, word in enumerate(search.split()):
            name = f"short_search_{index}"
            if bigram_index and len(word) == 2:
                params[name] = '"' + word.replace('"', '""') + '"'
                where_clauses.append(
                    f"rowid IN (SELECT rowid FROM [{BIGRAM_TABLE}] WHERE [{BIGRAM_TABLE}] MATCH :{name})"
                )
                continue
            params[name] = like_pattern(word)
            either = " OR ".join(f"[{column}] LIKE :{name} ESCAPE '\\'" for column in columns)
            where_clauses.append(f"({either})")
        return FilterArguments(
            where_clauses,
            params,
            [f'contains "{search}"'],
            {"search": search, "supports_search": True},
        )

    return inner
