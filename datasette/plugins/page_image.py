"""A metric's cell shown where it was printed: `/-/report/<id>/cell/<key>.png`.

The report's archived document is read from its WARC record (`reports.warc_file` at
`reports.warc_offset`, in the archive directory `nianbao serve --archive` names through the
`NIANBAO_ARCHIVE` environment variable), the metric's page (`metrics.page`) is drawn, and its box
(`metrics.bbox`, PDF points from the page's top-left) is outlined in red. A PDF (with a text layer
or scanned) is rendered with PDFium; an image (a scanned table posted as a PNG or JPEG, read by OCR
as one page) is drawn with Pillow, its points turned into pixels at the image's resolution (its
`dpi`, else the 150 dpi the OCR reader assumes). The image is made on demand from the archived
bytes, never stored: the archive is the source of truth.

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
# The resolution the OCR reader assumes for an image without one (ocr_tables.RENDER_DPI; plugins
# import nothing of nianbao's).
IMAGE_DPI = 150.0
# Larger images are not drawn (a 150 dpi A4 scan has 2.2 million pixels).
MAX_IMAGE_PIXELS = 64 * 1024 * 1024
# What an image document starts with: PNG, JPEG, GIF, BMP, TIFF (both byte orders).
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


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
    """PNG of page `page_number` (1-based) of the PDF or image `body` with `bbox` outlined."""
    if body.startswith(IMAGE_MAGIC):
        image, scale = _image_page(body, page_number)
    else:
        image, scale = _pdf_page(body, page_number), SCALE
    _outline(image, bbox, scale)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _image_page(body: bytes, page_number: int) -> tuple[Any, float]:
    """An image document (one page) in RGB, and its pixels per PDF point."""
    from PIL import Image, UnidentifiedImageError

    if page_number != 1:
        raise NotFound(f"No page {page_number}")
    try:
        image = Image.open(io.BytesIO(body))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise NotFound("Archived image too large to render")
        dpi = float(image.info.get("dpi", (IMAGE_DPI, IMAGE_DPI))[0] or IMAGE_DPI)
        image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise NotFound(f"The archived document is not a readable image: {error}") from error
    return image, dpi / 72.0


def _pdf_page(body: bytes, page_number: int) -> Any:
    """Page `page_number` of a PDF rendered at SCALE pixels per point, in RGB."""
    import pypdfium2 as pdfium

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
    return image


def _outline(image: Any, bbox: list[float], scale: float) -> None:
    """Outline `bbox` (points) in red on `image` drawn at `scale` pixels per point."""
    from PIL import ImageDraw

    x0, top, x1, bottom = bbox
    ImageDraw.Draw(image).rectangle(
        [
            (x0 - PADDING) * scale,
            (top - PADDING) * scale,
            (x1 + PADDING) * scale,
            (bottom + PADDING) * scale,
        ],
        outline=OUTLINE,
        width=OUTLINE_WIDTH,
    )


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
