"""Read a PDF with PDFium (pypdfium2) into the same text and table rows as the pdfplumber path.

pdfplumber spends most of its time in pdfminer's pure-Python content-stream parser. PDFium
parses in C++; this module takes from it only the raw facts pdfplumber works from — each
character with its box, and each painted path's segments — and rebuilds pdfplumber's results
from them: table cells by the ruling lines (`pipeline.extraction.attachments.pdf_ruling`), cell and page text by
pdfplumber's word and line grouping (`pipeline.extraction.attachments.pdf_words`). Character boxes are made the way
pdfminer makes them (x0 at the glyph origin, bottom at origin + font descent, height = font
size), so characters fall into the same cells and lines.

Deciding per document: `read_pdf_fast` returns None — "read this one with pdfplumber" — when
its reconstruction may differ from pdfplumber's, namely when
  * PDFium cannot open or read the file (pdfplumber then gives its own reading or problem);
  * a page is rotated or its MediaBox does not start at (0, 0) (other coordinate frames);
  * a character is not upright and axis-aligned, or its font has no Unicode mapping for it;
  * the document has a text layer but no ruled table was found on any of its pages (an odd
    PDF, e.g. tables drawn in a way this reader does not rebuild — pdfplumber keeps quality).
Otherwise it returns the `BinaryContent` itself. `pipeline.extraction.attachments.read_pdf` is the entry
point and does the falling back.

PDFium objects are closed in `finally` blocks; PDFium is not thread-safe, which is fine here:
extraction runs one document at a time per worker process.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator

from pipeline.extraction.attachments.base import (
    MIN_TEXT_CHARS,
    BinaryContent,
    PrintedWord,
    cell_string,
    non_empty_rows,
)
from pipeline.extraction.attachments.pdf_frames import frame_indices, table_bbox
from pipeline.extraction.attachments.pdf_ruling import Edge, find_tables
from pipeline.extraction.attachments.pdf_words import (
    CellFinder,
    Char,
    cell_text,
    ink_box,
    lines_text,
    page_lines,
    printed_words,
)
from pipeline.extraction.report import Place

# Form XObjects nest; past this depth their content is ignored (pdfplumber has no such cap,
# but a hostile file could nest deeply). pypdfium2 uses the same default.
MAX_FORM_DEPTH = 15


class _Unsupported(Exception):
    """The page holds something this reader does not rebuild like pdfplumber: fall back."""


Matrix = tuple[float, float, float, float, float, float]


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying `inner` first, then `outer`."""
    a, b, c, d, e, f = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _chars(textpage: object, height: float) -> list[Char]:
    """The page's characters as pdfminer boxes them, in content order; generated ones skipped."""
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFText_CountChars(textpage)
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    loose = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    descent_ratio = ctypes.c_float()
    descents: dict[int | None, float] = {}
    chars: list[Char] = []
    for index in range(count):
        if pdfium_c.FPDFText_IsGenerated(textpage, index):
            continue  # PDFium's own spaces and line breaks: pdfminer has no such characters
        if pdfium_c.FPDFText_HasUnicodeMapError(textpage, index) == 1:
            raise _Unsupported("a character without a Unicode mapping")
        if not pdfium_c.FPDFText_GetMatrix(textpage, index, matrix):
            raise _Unsupported("a character without a matrix")
        if matrix.b != 0 or matrix.c != 0 or matrix.a <= 0 or matrix.d <= 0:
            raise _Unsupported("rotated or mirrored text")
        text_object = pdfium_c.FPDFText_GetTextObject(textpage, index)
        key = ctypes.cast(text_object, ctypes.c_void_p).value
        descent = descents.get(key)
        if descent is None:
            font = pdfium_c.FPDFTextObj_GetFont(text_object) if text_object else None
            if not font or not pdfium_c.FPDFFont_GetDescent(font, 1.0, descent_ratio):
                raise _Unsupported("a character without a font")
            descent = descents[key] = descent_ratio.value
        pdfium_c.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
        pdfium_c.FPDFText_GetLooseCharBox(textpage, index, loose)
        size = pdfium_c.FPDFText_GetFontSize(textpage, index) * matrix.d
        bottom_y = origin_y.value + descent * size
        x0 = origin_x.value
        chars.append(
            Char(
                chr(pdfium_c.FPDFText_GetUnicode(textpage, index)),
                x0,
                height - (bottom_y + size),
                max(x0, loose.right),
                height - bottom_y,
            )
        )
    return chars


def _path_points(path: object, matrix: Matrix) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """Each subpath as pdfminer sees it: a shape string ('m', 'l', 'c', 'h') and end points."""
    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_float(), ctypes.c_float()
    shape = ""
    points: list[tuple[float, float]] = []
    bezier_points = 0
    for index in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            raise _Unsupported("an unreadable path segment")
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        point = _apply(matrix, x.value, y.value)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if shape:
                yield shape, points
            shape, points, bezier_points = "m", [point], 0
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            shape += "l"
            points.append(point)
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            # PDFium lists a curve's two control points and its end point; pdfminer keeps the end.
            bezier_points += 1
            if bezier_points % 3 == 0:
                shape += "c"
                points.append(point)
        else:
            raise _Unsupported("an unknown path segment")
        if not shape:
            raise _Unsupported("a path not starting with a move")
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            shape += "h"
            points.append(points[0])
    if shape:
        yield shape, points


def _subpath_edges(
    shape: str, points: list[tuple[float, float]], height: float
) -> tuple[str, list[Edge]]:
    """pdfminer's line / rect / curve of one subpath, as pdfplumber's edges of that object."""
    if len(shape) > 3 and shape[-2:] == "lh" and points[-2] == points[0]:
        shape = shape[:-2] + "h"  # pdfminer drops the redundant segment back to the start
        points = points[:-2] + points[-1:]
    if shape in ("ml", "mlh"):
        (xa, ya), (xb, yb) = points[0], points[1]
        x0, x1 = min(xa, xb), max(xa, xb)
        top, bottom = height - max(ya, yb), height - min(ya, yb)
        return "line", [Edge(ya != yb, x0, top, x1, bottom)]
    if shape in ("mlllh", "mllll"):
        (xa, ya), (xb, yb), (xc, yc), (xd, yd), closing = points
        square = (xa == xb and yb == yc and xc == xd and yd == ya) or (
            ya == yb and xb == xc and yc == yd and xd == xa
        )
        if closing == points[0] and square:
            x0, x1 = min(xa, xc), max(xa, xc)
            top, bottom = height - max(ya, yc), height - min(ya, yc)
            return "rect", [
                Edge(False, x0, top, x1, top),
                Edge(False, x0, bottom, x1, bottom),
                Edge(True, x0, top, x0, bottom),
                Edge(True, x1, top, x1, bottom),
            ]
    edges = []
    for (xa, ya), (xb, yb) in zip(points, points[1:], strict=False):
        if xa == xb or ya == yb:  # pdfplumber keeps only axis-aligned curve segments
            top, bottom = height - max(ya, yb), height - min(ya, yb)
            edges.append(Edge(xa == xb, min(xa, xb), top, max(xa, xb), bottom))
    return "curve", edges


def _page_edges(page: object, height: float) -> list[Edge]:
    """Edges of every painted path on the page (forms included), in pdfplumber's order."""
    import pypdfium2.raw as pdfium_c

    by_kind: dict[str, list[Edge]] = {"line": [], "rect": [], "curve": []}
    raw_matrix = pdfium_c.FS_MATRIX()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()

    def visit(container: object, in_form: bool, outer: Matrix, depth: int) -> None:
        if in_form:
            count = pdfium_c.FPDFFormObj_CountObjects(container)
        else:
            count = pdfium_c.FPDFPage_CountObjects(container)
        for index in range(max(count, 0)):
            if in_form:
                obj = pdfium_c.FPDFFormObj_GetObject(container, index)
            else:
                obj = pdfium_c.FPDFPage_GetObject(container, index)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            if not pdfium_c.FPDFPageObj_GetMatrix(obj, raw_matrix):
                raise _Unsupported("an object without a matrix")
            m = raw_matrix
            matrix = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                if depth < MAX_FORM_DEPTH:
                    visit(obj, True, matrix, depth + 1)
                continue
            if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
                raise _Unsupported("a path without a draw mode")
            if fill_mode.value == pdfium_c.FPDF_FILLMODE_NONE and not stroke.value:
                continue  # not painted: pdfminer makes no object of it
            for shape, points in _path_points(obj, matrix):
                object_kind, edges = _subpath_edges(shape, points, height)
                by_kind[object_kind].extend(edges)

    visit(page, False, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)
    return by_kind["line"] + by_kind["rect"] + by_kind["curve"]


def _table_rows(
    chars: list[Char], edges: list[Edge], page_number: int, height: float
) -> tuple[int, list[list[str]], list[list[Place | None]]]:
    """(tables found, their rows, where each cell is) with each character in the cell holding
    its centre; page border frames (`pdf_frames`) are not tables."""

    tables = find_tables(edges, close_page_breaks=True)
    frames = frame_indices(
        [table_bbox(t) for t in tables], [all(len(row) == 1 for row in t) for t in tables], height
    )
    tables = [table for index, table in enumerate(tables) if index not in frames]
    if not tables:
        return 0, [], []
    finder = CellFinder(chars)
    rows: list[list[str]] = []
    places: list[list[Place | None]] = []
    for table in tables:
        for row in table:
            cells: list[str] = []
            row_places: list[Place | None] = []
            for box in row:
                in_cell = finder.chars_in(box)
                cells.append(cell_string(cell_text(in_cell)))
                row_places.append((page_number, ink_box(in_cell, box)))
            rows.append(cells)
            places.append(row_places)
    return len(tables), rows, places


def read_pdf_fast(body: bytes, max_pages: int) -> BinaryContent | None:
    """Text and table rows of a PDF via PDFium, or None when pdfplumber should read it."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(body)
    except Exception:  # noqa: BLE001 - PdfiumError and ctypes errors: pdfplumber decides
        return None
    try:
        page_count = len(document)
        texts: list[str] = []
        rows: list[list[str]] = []
        places: list[list[Place | None]] = []
        lines: list[list[PrintedWord]] = []
        tables_found = 0
        for page_index in range(min(page_count, max_pages)):
            page = document[page_index]
            try:
                left, bottom, right, top = page.get_mediabox()
                if page.get_rotation() != 0 or left != 0 or bottom != 0:
                    return None
                height = top - bottom
                textpage = page.get_textpage()
                try:
                    chars = _chars(textpage.raw, height)
                finally:
                    textpage.close()
                page_tables, page_rows, page_places = _table_rows(
                    chars, _page_edges(page.raw, height), page_index + 1, height
                )
            finally:
                page.close()
            words = page_lines(chars)
            texts.append(lines_text(words))
            lines += printed_words(words, page_index + 1)
            tables_found += page_tables
            rows.extend(page_rows)
            places.extend(page_places)
    except _Unsupported:
        return None
    except Exception:  # noqa: BLE001 - PdfiumError mid-document: pdfplumber decides
        return None
    finally:
        document.close()
    text = "\n".join(texts).strip()
    has_text_layer = len(re.sub(r"\s", "", text)) >= MIN_TEXT_CHARS
    if has_text_layer and tables_found == 0:
        return None
    content = non_empty_rows(text, rows, places, tables_found)
    content.has_text_layer = has_text_layer
    content.lines = lines
    if page_count > max_pages:
        content.problem = f"only the first {max_pages} of {page_count} pages read"
    return content
