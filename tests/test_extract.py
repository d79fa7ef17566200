"""extract_document end to end: seeds as text, the same tables as Word-pasted HTML, PDF, DOCX, XLSX.

Ground truth is each seed's hand-checked YAML (read by portal.content's seed functions). The HTML/PDF/DOCX/XLSX
documents are generated here from that YAML, laid out like the official 2019 template (merged
cells, labels split across <p>/<span>), so the expected metrics never come from nianbao code.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import (
    DOC_SELF_INSPECTION,
    STATUS_FAILED,
    STATUS_NO_TABLES,
    STATUS_NOT_REPORT,
    STATUS_OK,
    ExtractedReport,
)
from portal.content import SEEDS_DIR, load_seed_truth, seed_metrics, seed_raw, seed_truth_paths

SHARED_PDF = Path(__file__).resolve().parents[2] / "shared" / "samples" / "huaian_szf_2024.pdf"
TEXT_HEADERS = {"content-type": "text/plain; charset=utf-8"}
TABLED_SEEDS = seed_truth_paths(tabled_only=True)
ALL_SEEDS = seed_truth_paths()


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


Grid = list[list[Cell]]


def _values(truth: dict, section: str, row: str, raw: dict[str, str], prefix: str) -> list[Cell]:
    columns = truth[section][row]
    keys = [f"{prefix}.{i}" for i in range(len(columns))]
    cells = []
    for key, value in zip(keys, columns, strict=True):
        printed = raw.get(key)
        cells.append(
            Cell(printed if printed is not None else ("" if value is None else f"{value}"))
        )
    return cells


def template_2019_tables(yaml_path: Path) -> list[tuple[str, Grid]]:
    """The three statistical tables of the 2019 template filled with the seed's YAML values."""
    truth = load_seed_truth(yaml_path)
    raw_by_key = seed_raw(truth)

    def values(section: str, row: str, names: tuple[str, ...]) -> list[Cell]:
        raw = {f"x.{i}": raw_by_key[f"{section}.{row}.{name}"] for i, name in enumerate(names)
               if f"{section}.{row}.{name}" in raw_by_key}  # fmt: skip
        return _values(truth, section, row, raw, "x")

    def heading(text: str) -> list[Cell]:
        return [Cell(text, colspan=4)]

    three = ("made", "published", "total")
    items = ("prev", "change", "decisions")
    active: Grid = [
        heading("第二十条第（一）项"),
        [Cell("信息内容"), Cell("本年新制作数量"), Cell("本年新公开数量"), Cell("对外公开总数量")],
        [Cell("规章"), *values("active", "rules", three)],
        [Cell("规范性文件"), *values("active", "normative", three)],
        heading("第二十条第（五）项"),
        [Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减"), Cell("处理决定数量")],
        [Cell("行政许可"), *values("active", "licensing", items)],
        [Cell("其他对外管理服务事项"), *values("active", "other_services", items)],
        heading("第二十条第（六）项"),
        [Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减"), Cell("处理决定数量")],
        [Cell("行政处罚"), *values("active", "penalty", items)],
        [Cell("行政强制"), *values("active", "coercion", items)],
        heading("第二十条第（八）项"),
        [Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减", colspan=2)],
        [
            Cell("行政事业性收费"),
            *values("active", "fees", ("prev", "change"))[:1],
            Cell(values("active", "fees", ("prev", "change"))[1].text, colspan=2),
        ],  # fmt: skip
        heading("第二十条第（九）项"),
        [Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", colspan=2)],
        [
            Cell("政府集中采购"),
            *values("active", "procurement", ("count", "amount"))[:1],
            Cell(values("active", "procurement", ("count", "amount"))[1].text, colspan=2),
        ],  # fmt: skip
    ]
    cols = ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")

    def apply(row: str) -> list[Cell]:
        return values("apply", row, cols)

    denied = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
              "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
              "7.属于行政执法案卷", "8.属于行政查询事项"]  # fmt: skip
    denied_keys = ["secret", "law", "safety", "third_party", "internal", "process",
                   "enforcement", "query"]  # fmt: skip
    unable = [
        "1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确",
    ]
    unable_keys = ["not_held", "need_create", "unclear"]
    unprocessed = [
        "1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
    ]
    unprocessed_keys = ["petition", "repeat", "publication", "mass", "confirm"]
    apply_rows: Grid = [
        [
            Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            Cell("申请人情况", colspan=7),
        ],  # fmt: skip
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [
            Cell("商业企业"),
            Cell("科研机构"),
            Cell("社会公益组织"),
            Cell("法律服务机构"),
            Cell("其他"),
        ],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3), *apply("new")],
        [Cell("二、上年结转政府信息公开申请数量", colspan=3), *apply("carried_in")],
        [
            Cell("三、本年度办理结果", rowspan=20),
            Cell("（一）予以公开", colspan=2),
            *apply("granted"),
        ],
        [
            Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2),
            *apply("partial"),
        ],  # fmt: skip
    ]
    for i, (label, key) in enumerate(zip(denied, denied_keys, strict=True)):
        lead = [Cell("（三）不予公开", rowspan=8)] if i == 0 else []
        apply_rows.append([*lead, Cell(label), *apply(f"denied.{key}")])
    for i, (label, key) in enumerate(zip(unable, unable_keys, strict=True)):
        lead = [Cell("（四）无法提供", rowspan=3)] if i == 0 else []
        apply_rows.append([*lead, Cell(label), *apply(f"unable.{key}")])
    for i, (label, key) in enumerate(zip(unprocessed, unprocessed_keys, strict=True)):
        lead = [Cell("（五）不予处理", rowspan=5)] if i == 0 else []
        apply_rows.append([*lead, Cell(label), *apply(f"unprocessed.{key}")])
    apply_rows += [
        [Cell("（六）其他处理", colspan=2), *apply("other")],
        [Cell("（七）总计", colspan=2), *apply("total")],
        [Cell("四、结转下年度继续办理", colspan=3), *apply("carried_out")],
    ]
    outcomes = ("upheld", "corrected", "other", "pending", "total")
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    review: Grid = [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [
            *(Cell(label, rowspan=2) for label in labels),
            Cell("未经复议直接起诉", colspan=5),
            Cell("复议后起诉", colspan=5),
        ],  # fmt: skip
        [Cell(label) for label in labels * 2],
        [
            *values("review", "review", outcomes),
            *values("review", "litigation.direct", outcomes),
            *values("review", "litigation.after_review", outcomes),
        ],  # fmt: skip
    ]
    return [
        ("二、主动公开政府信息情况", active),
        ("三、收到和处理政府信息公开申请情况", apply_rows),
        ("四、政府信息公开行政复议、行政诉讼情况", review),
    ]


def _word_pasted(text: str) -> str:
    """A label as Word pastes it: split over <span>s and two <p>s, with &nbsp; padding."""
    if not text:
        return "<p>&nbsp;&nbsp;&nbsp;</p>"
    middle = len(text) // 2
    first, second = html.escape(text[:middle]), html.escape(text[middle:])
    spans = "".join(f'<span style="font-family:宋体">{ch}</span>\n' for ch in first)
    return f"<p>{spans}</p>\n<p><span>&nbsp;</span><span>{second}</span>&nbsp;&nbsp;</p>"


def render_html(yaml_path: Path) -> str:
    truth = load_seed_truth(yaml_path)
    parts = [
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>",
        f"<title>{truth['agency']}{truth['year']}年政府信息公开工作年度报告_门户网站</title></head>",
        "<body><div class='nav'><a href='/'>首页</a></div><table width='100%'><tr><td>",
        "<div class='TRS_Editor'>",
        f"<p>{truth['year']}年，{truth['agency']}严格按照《条例》要求开展工作。</p>",
    ]
    for heading, grid in template_2019_tables(yaml_path):
        parts.append(f"<p><strong>{heading}</strong></p><table border='1'>")
        for row in grid:
            parts.append("<tr>")
            for cell in row:
                spans = f" rowspan='{cell.rowspan}'" if cell.rowspan > 1 else ""
                spans += f" colspan='{cell.colspan}'" if cell.colspan > 1 else ""
                parts.append(f"<td{spans}>{_word_pasted(cell.text)}</td>")
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</div></td></tr></table></body></html>")
    return "\n".join(parts)


def _grid_size(grid: Grid) -> tuple[int, int]:
    return len(grid), sum(cell.colspan for cell in grid[0])


def _placed(grid: Grid) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) with columns resolved around rowspans, as a browser lays them out."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken |= {(r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan)}
            c += cell.colspan
    return placed


def render_docx(yaml_path: Path) -> bytes:
    import docx

    truth = load_seed_truth(yaml_path)
    document = docx.Document()
    document.add_paragraph(f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告")
    for heading, grid in template_2019_tables(yaml_path):
        document.add_paragraph(heading)
        rows, cols = _grid_size(grid)
        table = document.add_table(rows=rows, cols=cols)
        for r, c, cell in _placed(grid):
            target = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = cell.text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_xlsx(yaml_path: Path) -> bytes:
    import openpyxl

    truth = load_seed_truth(yaml_path)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.cell(1, 1, f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告")
    top = 2
    for heading, grid in template_2019_tables(yaml_path):
        sheet.cell(top, 1, heading)
        top += 1
        for r, c, cell in _placed(grid):
            number = cell.text.replace(".", "", 1).isdigit()
            value: str | float = float(cell.text) if number else cell.text
            sheet.cell(top + r, c + 1, value if cell.text else None)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=top + r, start_column=c + 1,
                    end_row=top + r + cell.rowspan - 1, end_column=c + cell.colspan,
                )  # fmt: skip
        top += len(grid) + 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(yaml_path: Path) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=7, leading=9)
    truth = load_seed_truth(yaml_path)
    story: list = [Paragraph(f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告", style)]
    for heading, grid in template_2019_tables(yaml_path):
        story.append(Paragraph(heading, style))
        rows, cols = _grid_size(grid)
        data: list[list[object]] = [["" for _ in range(cols)] for _ in range(rows)]
        commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"),
                    ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                    ("FONTSIZE", (0, 0), (-1, -1), 6)]  # fmt: skip
        for r, c, cell in _placed(grid):
            # Long labels wrap inside their cell, as in a real PDF, instead of overflowing it.
            data[r][c] = Paragraph(cell.text, style) if len(cell.text) > 6 else cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                end = (c + cell.colspan - 1, r + cell.rowspan - 1)
                commands.append(("SPAN", (c, r), end))
        widths = [120] + [50] * (cols - 1) if cols <= 4 else [28] * cols
        if cols == 10:
            widths = [30, 60, 110] + [45] * 7
        story.append(Table(data, colWidths=widths, style=TableStyle(commands)))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4)).build(story)
    return buffer.getvalue()


def assert_metrics_match(report: ExtractedReport, yaml_path: Path) -> None:
    expected = seed_metrics(load_seed_truth(yaml_path))
    missing = sorted(set(expected) - set(report.metrics))
    assert not missing, f"metrics not read: {missing[:10]}"
    wrong = {
        key: (report.metrics[key].value, value)
        for key, value in expected.items()
        if report.metrics[key].value != pytest.approx(value)
        and not (value is None and report.metrics[key].value is None)
    }
    assert not wrong, f"(read, expected): {dict(list(wrong.items())[:10])}"


def seed_id(path: Path) -> str:
    return path.stem[:3]


@pytest.mark.parametrize("yaml_path", ALL_SEEDS, ids=seed_id)
def test_seed_text_gives_the_yaml_metadata(yaml_path: Path) -> None:
    truth = load_seed_truth(yaml_path)
    body = (SEEDS_DIR / truth["seed"]).read_bytes()
    report = extract_document(body, f"http://127.0.0.1/{truth['seed']}", TEXT_HEADERS)
    assert (report.agency, report.year, report.doc_type, report.template) == (
        truth["agency"],
        truth["year"],
        truth["doc_type"],
        str(truth["template"]),
    )


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_seed_text_gives_the_yaml_metrics(yaml_path: Path) -> None:
    truth = load_seed_truth(yaml_path)
    body = (SEEDS_DIR / truth["seed"]).read_bytes()
    report = extract_document(body, f"http://127.0.0.1/{truth['seed']}", TEXT_HEADERS)
    assert report.status == STATUS_OK
    assert_metrics_match(report, yaml_path)


def test_self_inspection_seed_is_a_report_without_tables() -> None:
    yaml_path = SEEDS_DIR / "004_8a63b8e5a75db88e.yaml"
    body = (SEEDS_DIR / load_seed_truth(yaml_path)["seed"]).read_bytes()
    report = extract_document(body, "http://127.0.0.1/004.txt", TEXT_HEADERS)
    assert report.doc_type == DOC_SELF_INSPECTION
    assert report.status == STATUS_NO_TABLES
    assert report.metrics == {}


def test_self_inspection_seed_yields_its_yaml_facts() -> None:
    yaml_path = SEEDS_DIR / "004_8a63b8e5a75db88e.yaml"
    truth = load_seed_truth(yaml_path)
    body = (SEEDS_DIR / truth["seed"]).read_bytes()
    report = extract_document(body, "http://127.0.0.1/004.txt", TEXT_HEADERS)
    found = {(fact.kind, fact.value) for fact in report.facts}
    for kind, value in truth["facts"].items():
        assert (kind, float(value)) in found


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_word_pasted_gbk_page_with_a_lying_meta_gives_the_yaml_metrics(yaml_path: Path) -> None:
    body = render_html(yaml_path).encode("gbk")  # the meta says utf-8: it lies
    report = extract_document(body, "http://127.0.0.1/art/2021/1/29/art_1.html", {})
    truth = load_seed_truth(yaml_path)
    assert (report.status, report.agency, report.year) == (STATUS_OK, truth["agency"], 2020)
    assert_metrics_match(report, yaml_path)


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_generated_docx_gives_the_yaml_metrics(yaml_path: Path) -> None:
    report = extract_document(render_docx(yaml_path), "http://127.0.0.1/files/report.docx", {})
    assert report.status == STATUS_OK, report.status_reason
    assert_metrics_match(report, yaml_path)


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_generated_xlsx_gives_the_yaml_metrics(yaml_path: Path) -> None:
    report = extract_document(render_xlsx(yaml_path), "http://127.0.0.1/files/report.xlsx", {})
    assert report.status == STATUS_OK, report.status_reason
    assert_metrics_match(report, yaml_path)


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_generated_pdf_gives_the_yaml_metrics(yaml_path: Path) -> None:
    body = render_pdf(yaml_path)
    report = extract_document(body, "http://127.0.0.1/files/download?id=7", {})
    assert report.status == STATUS_OK, report.status_reason
    assert_metrics_match(report, yaml_path)


@pytest.mark.skipif(not SHARED_PDF.exists(), reason="../shared/samples is not on this machine")
def test_real_2021_format_pdf_is_read() -> None:
    report = extract_document(SHARED_PDF.read_bytes(), "http://127.0.0.1/szfgs2024.pdf", {})
    assert (report.status, report.agency, report.year, report.template) == (
        STATUS_OK,
        "淮安市人民政府",
        2024,
        "2021",
    )
    # Read by eye from the PDF's table 三 and table 二.
    assert report.value("apply.new.total") == 3119
    assert report.value("apply.total.total") == 3050
    assert report.value("active.licensing.decisions") == 447228
    assert report.value("review.total") == 351


def test_guide_page_is_not_a_report() -> None:
    page = (Path(__file__).parent / "fixtures" / "documents" / "guide.html").read_bytes()
    report = extract_document(page, "http://127.0.0.1/guide.html", {"content-type": "text/html"})
    assert report.status == STATUS_NOT_REPORT
    assert report.metrics == {}


def test_page_linking_a_pdf_lists_the_attachment() -> None:
    page = (Path(__file__).parent / "fixtures" / "documents" / "attachment_page.html").read_bytes()
    report = extract_document(page, "http://127.0.0.1/col/art/2021/art_9.html", {})
    assert report.status == STATUS_NO_TABLES
    assert report.attachments == ["http://127.0.0.1/col/art/2021/P020210129.pdf"]


@pytest.mark.parametrize(
    ("body", "url", "reason"),
    [
        (b"", "http://127.0.0.1/a.html", "empty"),
        (b"\x00\x01\x02\xff\xfe\x00" * 2000, "http://127.0.0.1/a.html", "binary"),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "http://127.0.0.1/a.pdf", "PDF"),
        (b"PK\x03\x04broken zip", "http://127.0.0.1/a.docx", "binary format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "http://127.0.0.1/a.xls", "XLS"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "http://127.0.0.1/a.doc", "Word"),
        (b"<html><head><title>", "http://127.0.0.1/a.html", "no readable text"),
    ],
    ids=["empty", "binary-junk", "corrupt-pdf", "broken-zip", "corrupt-xls", "doc", "truncated"],
)
def test_junk_input_fails_with_a_reason_and_no_metrics(body: bytes, url: str, reason: str) -> None:
    report = extract_document(body, url, {})
    assert report.status == STATUS_FAILED
    assert reason in report.status_reason
    assert report.metrics == {}


def test_oversized_body_is_refused_without_parsing() -> None:
    body = b"<html><body>" + b"<p>\xe6\x96\x87</p>" * (50 * 1024 * 1024 // 10) + b"</body></html>"
    report = extract_document(body, "http://127.0.0.1/huge.html", {})
    assert report.status == STATUS_FAILED
    assert "too large" in report.status_reason
