"""A PDF metric's cell shown where it was printed: `/-/report/<id>/cell/<key>.png`.

The report's archived document is read from its WARC record (`reports.warc_file` at
`reports.warc_offset`, in the archive directory `nianbao serve --archive` names through the
`NIANBAO_ARCHIVE` environment variable), the metric's page (`metrics.page`) is rendered with
PDFium, and its box (`metrics.bbox`, PDF points from the page's top-left) is outlined in red. The
image is made on demand from the archived bytes, never stored: the archive is the source of truth.

Datasette's plugins import nothing of nianbao's, so the WARC record is read with warcio here.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl

ARCHIVE_ENV = "NIANBAO_ARCHIVE"
DEFAULT_ARCHIVE = "data/archive"
# Pixels per PDF point: 2 draws an A4 page 1190 pixels wide, enough to read a table's digits.
SCALE = 2.0
OUTLINE = (220, 20, 60)
OUTLINE_WIDTH = 3
# Padding around the box, in points, so the outline does not cover the printed characters.
PADDING = 3.0
MAX_PDF_BYTES = 64 * 1024 * 1024


def archive_dir() -> Path:
    return Path(os.environ.get(ARCHIVE_ENV) or DEFAULT_ARCHIVE)


def archived_body(archive: Path, warc_file: str, offset: int) -> bytes:
    """The decoded body of the response record at `offset` in `warc_file` under `archive`."""
    from warcio.archiveiterator import ArchiveIterator

    root = archive.resolve()
    path = (root / warc_file).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(f"No archived file {warc_file}")
    with path.open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)), None)
        if record is None or record.rec_type != "response":
            raise NotFound(f"No response record at {warc_file}:{offset}")
        body = record.content_stream().read(MAX_PDF_BYTES + 1)
    if len(body) > MAX_PDF_BYTES:
        raise NotFound("Archived document too large to render")
    return body


def render_cell(body: bytes, page_number: int, bbox: list[float]) -> bytes:
    """PNG of page `page_number` (1-based) of the PDF `body` with `bbox` outlined."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as error:
        raise NotFound(f"The archived document is not a readable PDF: {error}") from error
    try:
        if not 1 <= page_number <= len(document):
            raise NotFound(f"No page {page_number}")
        page = document[page_number - 1]
        try:
            image = page.render(scale=SCALE).to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        document.close()
    x0, top, x1, bottom = bbox
    ImageDraw.Draw(image).rectangle(
        [
            (x0 - PADDING) * SCALE,
            (top - PADDING) * SCALE,
            (x1 + PADDING) * SCALE,
            (bottom + PADDING) * SCALE,
        ],
        outline=OUTLINE,
        width=OUTLINE_WIDTH,
    )
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _database(datasette: Any) -> Any:
    if "nianbao" in datasette.databases:
        return datasette.get_database("nianbao")
    names = [name for name in datasette.databases if not name.startswith("_")]
    if not names:
        raise NotFound("No database")
    return datasette.get_database(names[0])


async def cell_image(datasette: Any, request: Any) -> Response:
    report_id, key = request.url_vars["report_id"], request.url_vars["key"]
    db = _database(datasette)
    found = await db.execute(
        "SELECT m.page, m.bbox, r.warc_file, r.warc_offset FROM metrics m "
        "JOIN reports r ON r.id = m.report_id WHERE m.report_id = ? AND m.key = ?",
        [report_id, key],
    )
    row = found.first()
    if row is None:
        raise NotFound(f"No metric {key} in report {report_id}")
    if row["page"] is None or not row["bbox"] or not row["warc_file"]:
        raise NotFound(f"Metric {key} was not read from a page")
    bbox = json.loads(row["bbox"])
    body = archived_body(archive_dir(), row["warc_file"], int(row["warc_offset"] or 0))
    png = render_cell(body, int(row["page"]), [float(value) for value in bbox])
    return Response(png, content_type="image/png", headers={"Cache-Control": "max-age=3600"})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/report/(?P<report_id>[0-9a-f]{16})/cell/(?P<key>[a-z_.]+)\.png$", cell_image)]
