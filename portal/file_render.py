"""Reports as attachments: PDF (reportlab, built-in CID font) and DOCX (python-docx, real tables).

The PDF uses reportlab's built-in `STSong-Light` CID font, so no font file is needed and the text
layer stays extractable (pdfplumber reads the Chinese back). Both formats carry the same tables as
the HTML pages, with merged cells where the template merges them.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

from portal.content import ReportSpec
from portal.tables import Table, grid, report_tables

_FONT = "STSong-Light"
_font_lock = threading.Lock()
_font_registered = False


def register_cid_font() -> None:
    """Register reportlab's built-in `STSong-Light` CID font, once per process."""
    global _font_registered
    with _font_lock:
        if not _font_registered:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.cidfonts import UnicodeCIDFont

            pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
            _font_registered = True


def pdf_table(table: Table) -> Any:
    """One report table as a reportlab flowable, as the portal's PDF draws it (ruled, merged
    cells spanned)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, TableStyle
    from reportlab.platypus import Table as PdfTable

    register_cid_font()
    cell_style = ParagraphStyle("cell", fontName=_FONT, fontSize=6.5, leading=8, wordWrap="CJK")
    width = A4[0] - 30 * mm
    cells = [
        [Paragraph(c.text, cell_style) if c is not None else "" for c in row] for row in grid(table)
    ]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), _FONT),
    ]
    style.extend(_spans(table))
    return PdfTable(
        cells, colWidths=[width / table.columns] * table.columns, style=TableStyle(style)
    )


def pdf_document(story: list[Any], title: str = "", author: str = "") -> bytes:
    """The flowables `story` laid out on A4 pages with the portal's margins."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=title,
        author=author,
        # No creation time or random document id: the same report, the same bytes, so the
        # portal's renderings keyed by them (`portal.published_formats`) are made once.
        invariant=True,
    )
    doc.build(story)
    return buffer.getvalue()


def render_pdf(
    spec: ReportSpec, table_flowables: Callable[[Table], list[Any]] | None = None
) -> bytes:
    """An A4 PDF of the report: title, prose, the three tables (each drawn by `pdf_table`, or
    given as the flowables `table_flowables` makes of it: a picture of the table, say)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    register_cid_font()
    title_style = ParagraphStyle("title", fontName=_FONT, fontSize=16, leading=24, alignment=1)
    body_style = ParagraphStyle("body", fontName=_FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    story: list[Any] = [Paragraph(spec.title, title_style), Spacer(1, 6 * mm)]
    story.extend(Paragraph(line, body_style) for line in spec.intro)
    if spec.has_tables:
        for table in report_tables(spec.template, spec.cell_text, spec.omitted_rows):
            story.append(Paragraph(table.heading, body_style))
            story.extend(table_flowables(table) if table_flowables else [pdf_table(table)])
            story.append(Spacer(1, 4 * mm))
    story.extend(Paragraph(line, body_style) for line in spec.outro)
    return pdf_document(story, spec.title, spec.agency)


def _spans(table: Table) -> list[tuple]:
    spans = []
    for r, row in enumerate(grid(table)):
        for c, cell in enumerate(row):
            if cell is not None and (cell.rowspan > 1 or cell.colspan > 1):
                spans.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    return spans


def render_docx(spec: ReportSpec) -> bytes:
    """A Word document of the report with real (merged-cell) tables."""
    from docx import Document

    document = Document()
    document.core_properties.title = spec.title
    document.core_properties.author = spec.agency
    document.add_heading(spec.title, level=1)
    for line in spec.intro:
        document.add_paragraph(line)
    if spec.has_tables:
        for table in report_tables(spec.template, spec.cell_text, spec.omitted_rows):
            document.add_paragraph(table.heading)
            cells = grid(table)
            word_table = document.add_table(rows=len(cells), cols=table.columns)
            word_table.style = "Table Grid"
            # Cell objects are taken once before merging: `Table.cell()` rescans the whole table
            # on every call, which makes a report take seconds.
            word_cells = [list(row.cells) for row in word_table.rows]
            for r, row in enumerate(cells):
                for c, cell in enumerate(row):
                    if cell is None:
                        continue
                    target = word_cells[r][c]
                    if cell.rowspan > 1 or cell.colspan > 1:
                        corner = word_cells[r + cell.rowspan - 1][c + cell.colspan - 1]
                        target = target.merge(corner)
                    target.text = cell.text
    for line in spec.outro:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
