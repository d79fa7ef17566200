"""Every number read from a PDF says where it was printed: `Metric.page` (1-based) and
`Metric.bbox` (x0, top, x1, bottom in points from the page's top-left, as pdfplumber gives).

The check is pdfplumber's, independent of both readers: the page cropped at the box prints the
metric's raw text. The Chromium and LibreOffice prints are checked in test_extract_accuracy.py.
"""

from __future__ import annotations

import io

from pipeline.extraction.attachments import read_pdf_plumber
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import Metric
from pipeline.extraction.tables import read_tables
from portal.file_render import render_pdf
from portal.formats import portal_page
from portal.synthetic import generate

SYNTHETIC = generate(2, seed=7)


def assert_every_number_traceable(body: bytes, metrics: dict[str, Metric]) -> None:
    """Every printed cell's box holds exactly its text; every cell read has a page."""
    import pdfplumber

    assert metrics
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for key, metric in metrics.items():
            assert metric.page is not None and metric.bbox is not None, key
            if not metric.raw:
                continue
            page = pdf.pages[metric.page - 1]
            text = page.crop(metric.bbox).extract_text() or ""
            assert text.replace(" ", "") == metric.raw.replace(" ", ""), (key, metric)


def test_each_pdf_metric_is_printed_in_its_box() -> None:
    body = render_pdf(SYNTHETIC[0])
    report = extract_document(body, "https://example.gov.cn/a.pdf")
    assert report.status == "ok"
    assert_every_number_traceable(body, report.metrics)


def test_pdfplumber_reader_places_cells_too() -> None:
    body = render_pdf(SYNTHETIC[1])
    content = read_pdf_plumber(body)
    metrics = read_tables(content.rows, places=content.places).metrics
    assert_every_number_traceable(body, metrics)


def test_html_metrics_have_no_page() -> None:
    spec = SYNTHETIC[0]
    report = extract_document(portal_page(spec, word_style=False), "https://example.gov.cn/a.html")
    assert report.metrics
    assert all(m.page is None and m.bbox is None for m in report.metrics.values())


def test_page_and_box_reach_the_metrics_rows() -> None:
    import json

    from archive.report_rows import report_rows
    from pipeline.extraction.document import FetchedDocument

    body = render_pdf(SYNTHETIC[0])
    doc = FetchedDocument(url="https://example.gov.cn/a.pdf", status=200, body=body)
    report = extract_document(body, doc.url)
    rows = report_rows(doc, report, None, version=1, first_seen=None, version_first_seen=None)
    printed = [row for row in rows.metrics if row["raw"]]
    assert printed
    for row in printed:
        metric = report.metrics[row["key"]]
        assert row["page"] == metric.page >= 1
        assert json.loads(row["bbox"]) == [round(v, 1) for v in metric.bbox]


def _ruled_table_pdf(title: str, rows: list[list[str]]) -> bytes:
    """One A4 page: a title line, then `rows` in a fully ruled grid of 160-pt columns."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 10)
    pdf.drawString(60, 780, title)
    left, top, width, height = 60.0, 740.0, 160.0, 24.0
    columns = len(rows[0])
    for step in range(len(rows) + 1):
        pdf.line(left, top - step * height, left + columns * width, top - step * height)
    for step in range(columns + 1):
        pdf.line(left + step * width, top, left + step * width, top - len(rows) * height)
    for index, row in enumerate(rows):
        for column, text in enumerate(row):
            pdf.drawString(left + column * width + 6, top - index * height - 16, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_old_format_table_numbers_are_printed_in_their_boxes() -> None:
    rows = [
        ["统计指标", "单位", "统计数"],
        ["一、主动公开政府信息数", "条", "120"],
        ["二、受理政府信息公开申请数", "件", "7"],
        ["三、行政复议数", "件", "1"],
        ["四、行政诉讼数", "件", "0"],
    ]
    body = _ruled_table_pdf("某县财政局2015年政府信息公开工作年度报告", rows)
    report = extract_document(body, "https://example.gov.cn/2015.pdf")
    assert report.template == "pre2019"
    printed = {key: metric for key, metric in report.metrics.items() if metric.raw}
    assert [printed[f"pre2019.{k}"].raw for k in ("active.total", "review.total")] == ["120", "1"]
    assert_every_number_traceable(body, printed)
