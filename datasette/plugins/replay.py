"""The archived original, replayed from the local WARC archive: `/-/archived/<report id>`.

A page with a banner (what this is, when it was fetched, where its record is, the live URL) frames
`/-/archived/<report id>/original`, which answers with the response body exactly as archived (content
encoding undone) under its archived Content-Type. Nothing is fetched from anywhere else: archived
HTML is served with a Content-Security-Policy sandbox (no scripts, an origin of its own, images and
styles only from this server), in an iframe that is sandboxed too, so a page that tries to run code
or phone home does neither. A PDF opens in the browser's viewer; other attachments download.

This is the built-in choice over ReplayWeb.page (docs/database.md says why): no service worker, no
JavaScript bundle to fetch at install time, and it works on any Datasette serving the archive.
`nianbao serve` passes the archive folder in the NIANBAO_ARCHIVE environment variable; without
it the route says the archive is not served here. Plugins import nothing of nianbao, so the record
is read here with warcio.
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from datasette.utils.asgi import NotFound, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from datasette import hookimpl

ARCHIVE_ENV = "NIANBAO_ARCHIVE"
DATABASE = "nianbao"
REPORT_ID_RE = r"[0-9a-f]{16}"
# Archived markup runs nothing and loads nothing from outside this server.
SANDBOX_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; frame-ancestors 'self'"
)
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
MARKUP = re.compile(r"^(text/|application/(xhtml\+)?xml|image/svg)", re.I)


def archive_dir() -> Path | None:
    folder = os.environ.get(ARCHIVE_ENV)
    return Path(folder) if folder and Path(folder).is_dir() else None


def _database(datasette: Any) -> Any:
    if DATABASE in datasette.databases:
        return datasette.get_database(DATABASE)
    names = [name for name in datasette.databases if not name.startswith("_")]
    if not names:
        raise NotFound("No database")
    return datasette.get_database(names[0])


async def _report(datasette: Any, report_id: str) -> dict[str, Any]:
    db = _database(datasette)
    found = await db.execute(
        "SELECT id, url, title, fetched_at, warc_file, warc_offset FROM reports WHERE id = ?",
        [report_id],
    )
    row = found.first()
    if row is None:
        raise NotFound(f"No report {report_id}")
    return dict(row)


def read_response(root: Path, warc_file: str, offset: int) -> tuple[dict[str, str], bytes, str]:
    """(HTTP headers lower-cased, body with its content encoding undone, WARC-Date) of the
    response record at `offset` in `warc_file` under `root`."""
    path = (root / warc_file).resolve()
    if root.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"no WARC file {warc_file} in the archive")
    with path.open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)), None)
        if record is None or record.rec_type != "response":
            raise NotFound(f"no archived response at {warc_file} @ {offset}")
        headers = {
            name.lower(): value
            for name, value in (record.http_headers.headers if record.http_headers else [])
        }
        try:
            body = record.content_stream().read()
        except Exception:  # a body whose declared content encoding does not decode: as stored
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            body = record.raw_stream.read()
        return headers, body, record.rec_headers.get_header("WARC-Date") or ""


def _kind(content_type: str) -> str:
    if MARKUP.match(content_type):
        return "markup"
    if content_type.lower().startswith("application/pdf"):
        return "pdf"
    return "file"


async def archived_page(datasette: Any, request: Any) -> Response:
    report = await _report(datasette, request.url_vars["report_id"])
    root = archive_dir()
    context = {
        "report": report,
        "served": root is not None and bool(report.get("warc_file")),
        "kind": "markup",
        "live_url": report["url"]
        if str(report["url"]).startswith(("http://", "https://"))
        else None,
    }
    if context["served"]:
        headers, _, _ = await asyncio.to_thread(
            read_response, root, report["warc_file"], int(report["warc_offset"] or 0)
        )
        context["kind"] = _kind(headers.get("content-type", ""))
        context["content_type"] = headers.get("content-type", "")
    html = await datasette.render_template("archived.html", context, request=request)
    return Response.html(html, status=200 if context["served"] else 404)


async def archived_original(datasette: Any, request: Any) -> Response:
    report = await _report(datasette, request.url_vars["report_id"])
    root = archive_dir()
    if root is None or not report.get("warc_file"):
        raise NotFound("the archive is not served here")
    headers, body, warc_date = await asyncio.to_thread(
        read_response, root, report["warc_file"], int(report["warc_offset"] or 0)
    )
    content_type = headers.get("content-type") or "application/octet-stream"
    out = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Header values are latin-1: a URL with Chinese in it goes percent-encoded.
        "Link": f'<{quote(report["url"], safe=_URL_SAFE)}>; rel="original"',
    }
    if warc_date:
        out["Memento-Datetime"] = format_datetime(
            iso_date_to_datetime(warc_date).replace(tzinfo=UTC), usegmt=True
        )
    kind = _kind(content_type)
    if kind == "markup":
        out["Content-Security-Policy"] = SANDBOX_CSP
    else:
        name = report["url"].rstrip("/").rsplit("/", 1)[-1] or report["id"]
        name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
        disposition = "inline" if kind == "pdf" else "attachment"
        out["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return Response(body, status=200, headers=out, content_type=content_type)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (rf"^/-/archived/(?P<report_id>{REPORT_ID_RE})$", archived_page),
        (rf"^/-/archived/(?P<report_id>{REPORT_ID_RE})/original$", archived_original),
    ]
