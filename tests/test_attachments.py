"""The binary readers on small generated files: text, merged cells, junk."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.extraction.attachments import (
    OLE2_MAGIC,
    cell_string,
    ole2_stream_names,
    read_docx,
    read_pdf,
    read_xls,
    read_xlsx,
)

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def small_pdf(with_text: bool = True) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    if with_text:
        pdf.setFont("STSong-Light", 14)
        pdf.drawString(72, 760, "某市民政局2020年政府信息公开工作年度报告")
    else:
        pdf.rect(72, 600, 200, 200, fill=1)  # a "scan": marks, no text layer
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_pdf_chinese_text_reads_back() -> None:
    content = read_pdf(small_pdf())
    assert "某市民政局2020年政府信息公开工作年度报告" in content.text.replace(" ", "")
    assert content.has_text_layer and content.problem is None


def test_pdf_without_text_layer_is_flagged() -> None:
    assert read_pdf(small_pdf(with_text=False)).has_text_layer is False


def test_corrupt_pdf_is_a_problem_not_an_exception() -> None:
    assert read_pdf(b"%PDF-1.4\n garbage").problem.startswith("unreadable PDF")


def test_docx_merged_cells_appear_once() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("标题")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "行政许可"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "处理决定数量"
    table.cell(1, 1).text = "5"
    buffer = io.BytesIO()
    document.save(buffer)
    content = read_docx(buffer.getvalue())
    assert content.rows == [["行政许可", "处理决定数量"], ["5", ""]]
    assert content.text.startswith("标题\n行政许可\t处理决定数量")


def test_xlsx_merged_cells_are_blank_and_numbers_print_plainly() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["行政许可", None, 3.0])
    sheet.append(["收费", 2727.174, None])
    sheet.merge_cells("A1:B1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_xlsx(buffer.getvalue()).rows == [["行政许可", "", "3"], ["收费", "2727.174"]]


def test_junk_spreadsheets_are_problems() -> None:
    assert read_xlsx(b"PK\x03\x04junk").problem.startswith("unreadable XLSX")
    assert read_xls(b"\xd0\xcf\x11\xe0junk").problem.startswith("unreadable XLS")
    assert read_docx(b"not a zip").problem.startswith("unreadable DOCX")


def test_ole2_directory_of_an_xls_names_its_workbook_stream() -> None:
    names = ole2_stream_names((FIXTURES / "seed_001_tables.xls").read_bytes())
    assert "Workbook" in names and "WordDocument" not in names


def test_ole2_directory_of_junk_is_empty() -> None:
    assert ole2_stream_names(OLE2_MAGIC + b"\xff" * 2000) == set()
    assert ole2_stream_names(b"not ole2" * 100) == set()


def test_cell_strings_join_wrapped_chinese_lines() -> None:
    assert cell_string("三、\n本\n年度办理结果") == "三、本年度办理结果"
    assert cell_string("Section\n20") == "Section 20"
    assert cell_string(None) == "" and cell_string(12.0) == "12"
