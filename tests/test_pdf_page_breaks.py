"""Tables cut open by a page break, as Chromium prints them: verticals run to the page's edge
with no horizontal rule, so the rows beside the cut were lost; both PDF readers now close them."""

from __future__ import annotations

import io

from test_pdf_fast import assert_same_reading

from pipeline.extraction.attachments import read_pdf
from pipeline.extraction.attachments.pdf_ruling import Edge, page_break_edges

ROWS_PER_PAGE = 3
ROW_HEIGHT = 40.0


def _cut_table_pdf() -> tuple[bytes, list[list[str]]]:
    """Two pages of one 3-column table: page 1's last row has no rule below it, page 2's first
    row none above it. Returns the PDF and the rows printed, page by page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    labels = ["行政许可", "行政处罚", "行政强制", "行政事业性收费", "规章", "行政规范性文件"]
    printed = [[label, str(7 * i + 1), str(7 * i + 2)] for i, label in enumerate(labels)]
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(2):
        top, bottom = height - 60, height - 60 - ROWS_PER_PAGE * ROW_HEIGHT
        for x in (100, 250, 350, 450):
            pdf.line(x, top, x, bottom)
        for step in range(ROWS_PER_PAGE + 1):
            y = top - step * ROW_HEIGHT
            open_end = (page == 0 and step == ROWS_PER_PAGE) or (page == 1 and step == 0)
            if not open_end:
                pdf.line(100, y, 450, y)
        pdf.setFont("STSong-Light", 10)
        for row in range(ROWS_PER_PAGE):
            cells = printed[page * ROWS_PER_PAGE + row]
            y = top - row * ROW_HEIGHT - 24
            for x, text in zip((110, 260, 360), cells, strict=True):
                pdf.drawString(x, y, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue(), printed


def test_rows_beside_a_page_break_are_read() -> None:
    body, printed = _cut_table_pdf()
    assert read_pdf(body).rows == printed


def test_both_readers_close_a_cut_table_alike() -> None:
    assert_same_reading(_cut_table_pdf()[0])


def test_a_ruled_table_gets_no_extra_rule() -> None:
    rules = [Edge(False, 100, y, 450, y) for y in (100, 140, 180)]
    columns = [Edge(True, x, 100, x, 180) for x in (100, 250, 450)]
    assert page_break_edges(rules + columns) == []


def test_verticals_ending_without_a_rule_get_one_across_them() -> None:
    rules = [Edge(False, 100, y, 450, y) for y in (140, 180)]
    columns = [Edge(True, x, 28, x, 180) for x in (100, 250, 450)]
    assert page_break_edges(rules + columns) == [Edge(False, 100, 28, 450, 28)]


def test_lines_no_rule_crosses_are_not_taken_for_a_cut_table() -> None:
    # Three decorative verticals (a column layout's separators): not a table, nothing added.
    separators = [Edge(True, x, 28, x, 760) for x in (100, 250, 450)]
    assert page_break_edges(separators) == []
