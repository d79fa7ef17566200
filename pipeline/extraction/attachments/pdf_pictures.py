"""The pages of a typed PDF that hold its tables as pictures, read by OCR.

Agencies scan the pages that carry the tables (stamped or signed) and put them back between the
typed pages, or paste the tables into their Word file as pictures before saving it as PDF. The
text layer then holds the prose but not the tables, and the report would lose every cell.
`picture_pages` names the pages worth reading by OCR: a page with no text layer of its own (fewer
than `MIN_TEXT_CHARS` characters) and a page with a picture as wide as a table (at least
`PICTURE_WIDTH` of the page's width: a stamp or a logo is narrower) or covering `PICTURE_SHARE`
of the page. `read_picture_pages` reads them within the OCR caps: each table-sized picture by
itself, at its own resolution and straightened on its own, each cell's box moved to where the
picture is printed; a page without a text layer or such a picture rendered whole. From a page with
a text layer only the tables OCR finds are kept (its prose is in the text layer already). The extraction asks for this only when the text layer does not
give the template's tables (`pipeline.extraction.extract`): a photograph in a report whose tables
are typed costs nothing.
"""

from __future__ import annotations

from pipeline.extraction.attachments import ocr
from pipeline.extraction.attachments.base import MAX_PDF_PAGES, MIN_TEXT_CHARS
from pipeline.extraction.attachments.ocr_tables import (
    MAX_OCR_PAGES,
    RENDER_DPI,
    ScanContent,
    ScanPicture,
    read_pictures,
)

# A picture this wide a share of its page, or covering this much of it, may be a table: table 四
# alone is a wide strip (0.79 of an A4 page's width, 0.06 of its area), an official seal 0.2 wide.
PICTURE_WIDTH = 0.5
PICTURE_SHARE = 0.15


def _table_sized(bounds: tuple[float, float, float, float], width: float, height: float) -> bool:
    """Whether a picture placed at `bounds` (PDF points) on a page `width` × `height` may be a
    table."""
    left, bottom, right, top = bounds
    wide = (right - left) >= PICTURE_WIDTH * width
    return wide or (right - left) * (top - bottom) >= PICTURE_SHARE * max(width * height, 1.0)


def picture_pages(body: bytes, max_pages: int = MAX_PDF_PAGES) -> tuple[list[int], set[int]]:
    """The numbers (from 1) of the pages that may hold tables as pictures, and which of them have
    a text layer; ([], set()) when the PDF cannot be opened."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(body)
    except Exception:  # noqa: BLE001 - PdfiumError and ctypes errors: nothing to add
        return [], set()
    pages: list[int] = []
    typed: set[int] = set()
    try:
        for index in range(min(len(document), max_pages)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
                has_text = len("".join(text.split())) >= MIN_TEXT_CHARS
                width, height = page.get_size()
                pictured = any(
                    _table_sized(picture.get_bounds(), width, height)
                    for picture in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
                )
            finally:
                page.close()
            if not has_text or pictured:
                pages.append(index + 1)
                if has_text:
                    typed.add(index + 1)
    except Exception:  # noqa: BLE001 - a page PDFium cannot read: the pages found so far
        pass
    finally:
        document.close()
    return pages, typed


def _pictures(body: bytes, pages: list[int], typed: set[int]) -> list[ScanPicture]:
    """The readings `pages` need: each table-sized picture by itself, at its own resolution (a
    pasted picture has its own tilt, which the OCR straightens picture by picture; a scanned page
    is one picture the size of the page); a page without a text layer or such a picture rendered
    whole."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(body)
    readings: list[ScanPicture] = []
    try:
        for number in pages:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                found = 0
                for picture in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                    bounds = picture.get_bounds()
                    if not _table_sized(bounds, width, height):
                        continue
                    left, _bottom, right, top = bounds
                    image = picture.get_bitmap(render=False).to_pil().convert("L")
                    dpi = image.width * 72.0 / max(right - left, 1.0)
                    if dpi > RENDER_DPI * 1.3:  # a 300 dpi scan: read at the OCR's resolution
                        scale = RENDER_DPI / dpi
                        size = (round(image.width * scale), round(image.height * scale))
                        image, dpi = image.resize(size), RENDER_DPI
                    offset = (left, height - top)
                    readings.append(ScanPicture(image, number, dpi, offset, number in typed))
                    found += 1
                if not found:  # no picture of its own: what the page draws, as printed
                    image = page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil()
                    readings.append(ScanPicture(image, number, tables_only=number in typed))
            finally:
                page.close()
    finally:
        document.close()
    return readings


def read_picture_pages(body: bytes, pages: list[int], typed: set[int]) -> ScanContent:
    """The pages `pages` of the PDF read by OCR (page and CPU-time caps apply): every table found,
    each cell with its page, box and confidence; the prose of the pages not in `typed`."""
    content = ScanContent(has_text_layer=True)
    content.problem = ocr.available()
    if content.problem or not pages:
        return content
    try:
        readings = _pictures(body, pages[: MAX_OCR_PAGES + 1], typed)
    except Exception as error:  # noqa: BLE001 - PdfiumError and ctypes errors on a bad file
        content.problem = f"unreadable PDF page or picture: {error}"[:300]
        return content
    return read_pictures(readings, len(readings), "pictures", has_text_layer=True)
