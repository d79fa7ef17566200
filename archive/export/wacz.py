"""The archive as one WACZ file (Web Archive Collection Zipped, 1.2): the WARC files, a CDXJ index,
`pages/pages.jsonl` (one entry per report document, titled as the database titles it) and the
WACZ's own `datapackage.json`, built and validated by the `wacz` package, so the originals replay in
ReplayWeb.page or any WACZ reader without nianbao.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
from pathlib import Path

from wacz.main import main as wacz_main

from archive.warc_read import warc_files

WACZ_FILE = "nianbao-archive.wacz"


class WaczError(Exception):
    """The WACZ could not be built or does not validate; the message carries the tool's output."""


def _page_ts(fetched_at: str) -> str:
    return fetched_at.replace("+00:00", "Z") if fetched_at else ""


def write_pages_jsonl(db_path: Path, path: Path) -> int:
    """A pages.jsonl of every archived report document (URL, time fetched, title); returns how many."""
    conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT url, fetched_at, coalesce(title, url) FROM reports "
            "WHERE warc_file IS NOT NULL AND url LIKE 'http%' ORDER BY year DESC, url"
        ).fetchall()
    finally:
        conn.close()
    with path.open("w", encoding="utf-8") as handle:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "nianbao reports"}
        handle.write(json.dumps(header, ensure_ascii=False) + "\n")
        for url, fetched_at, title in rows:
            page = {"url": url, "ts": _page_ts(fetched_at or ""), "title": title}
            handle.write(json.dumps(page, ensure_ascii=False) + "\n")
    return len(rows)


def _run_wacz(args: list[str]) -> tuple[int, str]:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = wacz_main(args)
    return int(code or 0), output.getvalue()


def validate_wacz(path: Path) -> str:
    """Validate with the `wacz` package; returns its report, raises WaczError when invalid."""
    code, output = _run_wacz(["validate", "-f", str(path)])
    if code != 0:
        raise WaczError(f"{path.name} does not validate: {output.strip()[-2000:]}")
    return output


def write_wacz(db_path: Path, archive_dir: Path, out_path: Path) -> int:
    """Package every WARC file of `archive_dir` into `out_path`, validated; returns the pages listed."""
    warcs = warc_files(archive_dir)
    if not warcs:
        raise WaczError(f"no WARC files in {archive_dir}")
    partial = out_path.with_name(f".partial-{out_path.name}")
    with tempfile.TemporaryDirectory(prefix="nianbao-wacz-") as work:
        pages = Path(work) / "pages.jsonl"
        listed = write_pages_jsonl(db_path, pages)
        code, output = _run_wacz(
            ["create", "-o", str(partial), "-p", str(pages), "--title", "nianbao 年报 archive"]
            + [str(path) for path in warcs]
        )
    if code != 0:
        partial.unlink(missing_ok=True)
        raise WaczError(f"wacz create failed: {output.strip()[-2000:]}")
    try:
        validate_wacz(partial)
    except WaczError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out_path)
    return listed
