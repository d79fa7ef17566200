"""The downloads on the home page, and what a slim download says about what it lacks.

`nianbao serve --downloads DIR` serves the folder `nianbao export` wrote under /downloads/ and passes
it in NIANBAO_DOWNLOADS_DIR; the home page then lists each file its datapackage.json describes, with
its size and date, plus the data package and checksums themselves.

A slim download (`nianbao-data.db`, marked by its `export_info` table) has no report texts and no
search index: its `search` query is replaced by one that says so, rather than failing with
"no such table", and templates learn they serve a slim file (`slim_export`).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datasette import hookimpl

DOWNLOADS_ENV = "NIANBAO_DOWNLOADS_DIR"
EXPORT_INFO = "export_info"
EXTRA_FILES = ("datapackage.json", "SHA256SUMS")
SLIM_SEARCH = {
    "title": "全文搜索报告 · Search reports",
    "description": "精简数据库不含报告正文和检索索引 · The slim download has no report texts and no "
    "search index: search the full database (nianbao.db), or the reports' titles in the "
    "reports table",
    "sql": "SELECT '精简数据库不含正文，无法全文搜索 · Full-text search needs the full database "
    "(nianbao.db); this slim download has no report texts' AS note, :q AS q",
}


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def downloads() -> list[dict[str, str]]:
    """The files of the downloads folder, in the data package's order, each with size and date."""
    folder = os.environ.get(DOWNLOADS_ENV)
    if not folder or not (Path(folder) / "datapackage.json").is_file():
        return []
    root = Path(folder)
    try:
        package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    except ValueError:
        return []
    files = [
        (str(r.get("path", "")), str(r.get("title", ""))) for r in package.get("resources", [])
    ]
    files += [(name, "") for name in EXTRA_FILES]
    listed = []
    for name, title in files:
        path = root / name
        if "/" in name or not path.is_file():
            continue
        stat = path.stat()
        listed.append(
            {
                "name": name,
                "title": title,
                "size": human_size(stat.st_size),
                "bytes": str(stat.st_size),
                "date": datetime.fromtimestamp(stat.st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC"),
            }
        )
    return listed


async def _is_slim(datasette: Any, database: str | None) -> bool:
    if not database or database not in datasette.databases:
        return False
    return await datasette.get_database(database).table_exists(EXPORT_INFO)


@hookimpl
def extra_template_vars(datasette: Any, database: str | None) -> Any:
    async def inner() -> dict[str, Any]:
        names = (
            [database] if database else [n for n in datasette.databases if not n.startswith("_")]
        )
        slim = any([await _is_slim(datasette, name) for name in names])
        return {"downloads": downloads(), "slim_export": slim}

    return inner


@hookimpl
def canned_queries(datasette: Any, database: str) -> Any:
    async def inner() -> dict[str, Any]:
        return {"search": SLIM_SEARCH} if await _is_slim(datasette, database) else {}

    return inner
