"""Reports whose tables are pictures: each table cut from the scanned report and pasted into Word.

Agencies paste the statistical tables into their Word report as screenshots or scans, and upload
the .docx. `render_docx_table_images` makes that file from a synthetic report: its prose
(title, paragraphs, each table's heading) as Word paragraphs, and each table as a picture cut
from the report's scanned pages (`portal.scan_render.scan_pages` of the reportlab PDF) where the
PDF prints it. A table the PDF breaks across pages is two pictures, as screenshots of it are.

The tables' places come from the reportlab PDF's ruling lines (pdfplumber's `find_tables`): each
piece's box, turned by the scan's skew of its page (`scan_render.skew_angles`), is cut from the
scan at 150/72 pixels a point with a few pixels of margin, and saved as a PNG that says 150 dpi.
The pieces belong to the tables in order: a table's pieces are those whose rows add up to its
rows. Deterministic for a seed (the scan's); the truth is the report's (`ReportSpec.truth`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from portal.content import ReportSpec
from portal.scan_render import SCAN_DPI, skew_angles
from portal.tables import grid, report_tables

# Pixels kept around a table's turned box: its rules blur over a pixel or two.
MARGIN_PIXELS = 6
_SCALE = SCAN_DPI / 72


Piece = tuple[int, tuple[float, float, float, float], int]  # page index, box (points), rows


def table_pieces(pdf: bytes) -> list[Piece]:
    """Every ruled table piece of `pdf`, in page order: its page, its box and how many rows."""
    import pdfplumber

    pieces: list[Piece] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for index, page in enumerate(document.pages):
            for table in sorted(page.find_tables(), key=lambda table: table.bbox[1]):
                pieces.append((index, table.bbox, len(table.rows)))
    return pieces


def _pieces_per_table(pieces: list[Piece], rows_per_table: list[int]) -> list[list[Piece]]:
    """The pieces of each table: consecutive pieces whose rows add up to the table's."""
    grouped: list[list[Piece]] = []
    remaining = iter(pieces)
    for rows in rows_per_table:
        group: list[Piece] = []
        while sum(piece[2] for piece in group) < rows:
            piece = next(remaining, None)
            if piece is None:
                raise ValueError(f"the PDF prints fewer table rows than the report's {rows}")
            group.append(piece)
        if sum(piece[2] for piece in group) != rows:
            raise ValueError(f"table pieces of {[p[2] for p in group]} rows, not {rows}")
        grouped.append(group)
    return grouped


def _turned_box(
    box: tuple[float, float, float, float], angle: float, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """`box` (points) in pixels of the scan turned by `angle` degrees counter-clockwise about
    its centre (PIL's `rotate`), as the bounds of its turned corners plus the margin."""
    width, height = size
    centre_x, centre_y = width / 2, height / 2
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    x0, top, x1, bottom = (value * _SCALE for value in box)
    xs, ys = [], []
    for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
        xs.append(centre_x + (x - centre_x) * cos + (y - centre_y) * sin)
        ys.append(centre_y - (x - centre_x) * sin + (y - centre_y) * cos)
    return (
        max(int(min(xs)) - MARGIN_PIXELS, 0),
        max(int(min(ys)) - MARGIN_PIXELS, 0),
        min(math.ceil(max(xs)) + MARGIN_PIXELS, width),
        min(math.ceil(max(ys)) + MARGIN_PIXELS, height),
    )


def _png(image: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(SCAN_DPI, SCAN_DPI))  # type: ignore[attr-defined]
    return buffer.getvalue()


def table_pictures(
    spec: ReportSpec, pdf: bytes, pages: Sequence[object], seed: int
) -> list[list[bytes]]:
    """Each table of the report as the PNG pictures of its pieces, cut from `pages`, the scan of
    `pdf` made with `seed` (`scan_pages(pdf, seed)`)."""
    if not spec.has_tables:
        return []
    tables = report_tables(spec.template, spec.cell_text, spec.omitted_rows)
    grouped = _pieces_per_table(table_pieces(pdf), [len(grid(table)) for table in tables])
    angles = skew_angles(seed, len(pages))
    pictures: list[list[bytes]] = []
    for group in grouped:
        cut = []
        for page_index, box, _rows in group:
            page = pages[page_index]
            crop = _turned_box(box, angles[page_index], page.size)  # type: ignore[attr-defined]
            cut.append(_png(page.crop(crop)))  # type: ignore[attr-defined]
        pictures.append(cut)
    return pictures


def render_docx_table_images(spec: ReportSpec, pictures: list[list[bytes]]) -> bytes:
    """A Word document of the report: its prose as paragraphs, each table as `pictures` (one
    per piece, `table_pictures`) under its heading, in the order the report prints them."""
    from docx import Document
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    text_width = section.page_width - section.left_margin - section.right_margin
    document.core_properties.title = spec.title
    document.core_properties.author = spec.agency
    document.add_heading(spec.title, level=1)
    for line in spec.intro:
        document.add_paragraph(line)
    if spec.has_tables:
        tables = report_tables(spec.template, spec.cell_text, spec.omitted_rows)
        for table, pieces in zip(tables, pictures, strict=True):
            document.add_paragraph(table.heading)
            for picture in pieces:
                document.add_picture(io.BytesIO(picture), width=text_width)
    for line in spec.outro:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
