"""Tables without ruling lines, read from a PDF's text layer (`pipeline.extraction.layout_rows`).

The lines below are typed in the shapes a PDF text layer gives such a table (seen in the real
WPS-made city report in ../shared/samples, whose text alone reads to the same 200 cells as its
ruled tables): numbers between a wrapped label's lines or above it, a group label one character
per line, page numbers, table 四's header broken into pieces. Values are chosen by hand, one
distinct number per cell where it matters. Rows with blank cells are given with each word's place
(`layout_cells`), numbers at their columns' x (`COLUMN_X`) as a text layer gives them. The
WPS-like PDFs drawn without rules come from `portal.wps_render` with the generator's truth.
"""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT
from test_tables_constructed import APPLY_HEADER, APPLY_LABELS_2021, active_2021, apply_table

from pipeline.extraction import keys
from pipeline.extraction.attachments.base import PrintedWord
from pipeline.extraction.extract import extract_document
from pipeline.extraction.labels import bare_core
from pipeline.extraction.layout_rows import layout_cells, layout_rows
from pipeline.extraction.report import STATUS_OK, STATUS_PARTIAL
from pipeline.extraction.tables import read_tables
from portal.formats import Rendering
from portal.synthetic import generate
from portal.wps_render import render_wps_pdf, wps_truth

sys.path.insert(0, str(ROOT / "bench"))
from extract_accuracy import SEED, score  # noqa: E402 (bench/ is on sys.path now)
from test_pdf_provenance import assert_every_number_traceable  # noqa: E402


def _text(rows: list[list[str]]) -> str:
    return "\n".join(" ".join(row) for row in rows)


def test_numbers_between_a_wrapped_labels_lines_join_the_label() -> None:
    rows = layout_rows(
        "（二）部分公开（区分处理的，只计这一情\n447 7 0 0 0 0 454\n形，不计其他情形）"
    )
    assert rows[0] == [
        "（二）部分公开（区分处理的，只计这一情",
        "447",
        "7",
        "0",
        "0",
        "0",
        "0",
        "454",
    ]


def test_numbers_printed_above_their_label_join_it() -> None:
    text = "1．属于国家秘密 2 0 0 0 0 0 2\n30 1 0 0 0 0 31\n2．其他法律行政法规\n禁止公开"
    rows = layout_rows(text)
    assert rows[1] == ["2．其他法律行政法规", "30", "1", "0", "0", "0", "0", "31"]


def test_page_numbers_are_not_numbers_of_a_row() -> None:
    rows = layout_rows("7．属于行政执法案卷\n- 3 -\n示例区人民政府\n9 0 0 0 0 0 9")
    assert ["- 3 -"] not in rows and all("3" not in row for row in rows)


def test_label_whose_note_is_cut_off_still_names_its_row() -> None:
    assert bare_core("（二）部分公开（区分处理的，只计这一情形，不计其") == "部分公开"


def test_application_table_laid_out_as_text_reads_every_cell() -> None:
    active, active_expected = active_2021()
    apply_rows, expected = apply_table(APPLY_LABELS_2021, header=APPLY_HEADER)
    # The group label set vertically: its characters on lines of their own between the rows.
    lines = [" ".join(row) for row in active + apply_rows]
    at = next(i for i, line in enumerate(lines) if "（一）予以公开" in line)
    lines[at] = "年 " + lines[at].replace("三、本年度办理结果 ", "")
    lines[at:at] = ["三", "、", "本"]
    result = read_tables(layout_rows("\n".join(lines)))
    read = {key: metric.value for key, metric in result.metrics.items()}
    assert read | expected | active_expected == read
    assert [
        row for row in result.missing_rows if not row.startswith(("review", "litigation"))
    ] == []


def test_table_four_with_its_header_broken_into_pieces_gives_its_fifteen_numbers() -> None:
    text = _text(
        [
            ["四、结转下年度继续办理", *map(str, range(101, 108))],
            ["四、政府信息公开行政复议、行政诉讼情况"],
            ["行政复议", "行政诉讼"],
            ["未经复议直接起诉", "复议后起诉"],
            ["结果", "结果", "其他结", "尚未", "总计"],
            ["维持", "纠正", "果", "审结", "维持", "纠正", "结果", "审结"],
            [str(n) for n in range(31, 46)],
        ]
    )
    active, _ = active_2021()
    apply_rows, _ = apply_table(APPLY_LABELS_2021, header=APPLY_HEADER)
    result = read_tables(layout_rows(_text(active + apply_rows[:-1]) + "\n" + text))
    assert [result.metrics[key].value for key in keys.REVIEW_KEYS] == list(range(31, 46))
    assert "review" not in result.missing_rows


def test_wps_pdfs_without_rules_are_read_from_their_text_and_never_ok_with_cells_missing() -> None:
    specs = generate(6, seed=SEED)
    renderings = [
        Rendering(
            "pdf_wps",
            render_wps_pdf(i, spec, borderless=True),
            "http://x/a.pdf",
            {},
            wps_truth(i, spec),
        )
        for i, spec in enumerate(specs)
    ]
    figures = score(renderings)
    # 1,182 of 1,182 cells when measured (2026-12-07; 1,154 before wrapped labels with typos
    # and numbers beside a group label's line were read); before the text-layer reader, none.
    assert figures["accuracy"] >= 1182 / 1182 - 1e-9, figures
    assert figures["ok_missing_cells"] == 0
    assert figures["statuses"].get(STATUS_OK, 0) >= 5


def test_row_printing_fewer_numbers_than_columns_is_missing_not_guessed() -> None:
    active, _ = active_2021()
    apply_rows, _ = apply_table(APPLY_LABELS_2021, header=APPLY_HEADER)
    at = next(i for i, row in enumerate(apply_rows) if "2.重复申请" in row)
    apply_rows[at] = ["2.重复申请", "3", "3"]  # blank cells leave no trace in the text
    review = [["行政复议", "行政诉讼"], ["结果维持", "总计"], [str(n) for n in range(31, 46)]]
    body = ("示例区2021年政府信息公开工作年度报告\n" + _text(active + apply_rows + review)).encode()
    report = extract_document(body, "http://127.0.0.1/a.txt", {"content-type": "text/plain"})
    assert report.status == STATUS_PARTIAL
    assert report.missing_rows == ["apply.unprocessed.repeat"]


def test_numbers_printed_above_a_label_after_a_wrapped_row_join_that_label() -> None:
    # The wrapped row above got its numbers (printed above it); its last line, without numbers,
    # is followed by the next label's numbers, then that numbered label.
    text = (
        "1 0 0 0 0 0 1\n5．要求行政机关确认或重新出\n具已获取信息\n"
        "3 0 0 0 0 0 3\n（六）其他 1．申请人无正当理由逾期不补"
    )
    rows = layout_rows(text)
    assert rows[1] == ["具已获取信息"]
    assert rows[2] == ["（六）其他", "1．申请人无正当理由逾期不补", *"3000003"]


def test_numbers_between_an_unnumbered_labels_lines_stay_with_it() -> None:
    text = "（一）予以公开 11 0 0 0 0 0 11\n部分公开（区分处理的，只计这一情\n3 0 0 0 0 0 3\n形，不计其他情形）"
    assert layout_rows(text)[1] == ["部分公开（区分处理的，只计这一情", *"3000003"]


def test_single_other_row_printing_fewer_numbers_than_columns_is_not_read() -> None:
    active, _ = active_2021()
    apply_rows, _ = apply_table(APPLY_LABELS_2021, header=APPLY_HEADER)
    first = next(i for i, row in enumerate(apply_rows) if "（六）其他处理" in row)
    # A hybrid table's 2019-style single row, with blank cells that leave no trace in the text.
    apply_rows[first : first + 3] = [["（六）其他处理", "3", "3"]]
    review = [["行政复议", "行政诉讼"], ["结果维持", "总计"], [str(n) for n in range(31, 46)]]
    body = ("示例区2021年政府信息公开工作年度报告\n" + _text(active + apply_rows + review)).encode()
    report = extract_document(body, "http://127.0.0.1/a.txt", {"content-type": "text/plain"})
    assert report.status == STATUS_PARTIAL
    assert not any(key.startswith("apply.other.single.") for key in report.metrics)
    assert "apply.other.single: fewer numbers than columns" in report.status_reason


def test_characters_of_a_vertical_group_label_never_take_a_rows_numbers() -> None:
    # Numbers printed above their label land beside the group label's characters (年, 结),
    # alone or on the same line; they belong to the next label, past those characters.
    text = (
        "8．属于行政查询事项 0 0 0 0 0 0 0\n年\n1 0 0 0 0 0 1\n度\n"
        "（四）无 1．本机关不掌握相关政府信\n办\n法提供 息\n理\n"
        "结 2 0 0 0 0 0 2\n果 2．没有现成信息需要另行制\n作"
    )
    rows = layout_rows(text)
    assert ["（四）无", "1．本机关不掌握相关政府信", *"1000001"] in rows
    assert ["果", "2．没有现成信息需要另行制", *"2000002"] in rows
    assert ["年"] in rows and ["结"] in rows


# x centres of table 三's seven number columns, 35 pt apart, and of its header words.
COLUMN_X = [300.0 + 35 * j for j in range(7)]
PLACED_HEADER = [
    [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 120.0)],
    [("申请人情况", COLUMN_X[3])],
    [("自然人", COLUMN_X[0]), ("法人或其他组织", COLUMN_X[3]), ("总计", COLUMN_X[6])],
    [(name, COLUMN_X[1 + j]) for j, name in enumerate(["商业企业", "科研机构", "社会公益"])]
    + [("法律服务", COLUMN_X[4]), ("其他", COLUMN_X[5])],
    [("组织", COLUMN_X[3]), ("机构", COLUMN_X[4])],
]


def _word(text: str, x: float) -> PrintedWord:
    return (text, (1, (x - 4.0, 0.0, x + 4.0, 9.0)))


def _placed_table_three(blank: dict[str, set[int]], moved: dict[str, float] | None = None):
    """Table 二 as text, then table 三 with each word at its place: the cells of the columns
    in `blank[row]` left blank (not printed), the last number of each row in `moved` printed at
    that x instead; with the metrics that a reading must give."""
    active, _ = active_2021()
    lines: list[list[PrintedWord]] = [[(cell, None) for cell in row] for row in active]
    lines += [[_word(text, x) for text, x in line] for line in PLACED_HEADER]
    apply_rows, expected = apply_table(APPLY_LABELS_2021, header=[])
    for (label_cells, key), row in zip(APPLY_LABELS_2021, apply_rows, strict=True):
        numbers = {j: row[len(label_cells) + j] for j in range(7) if j not in blank.get(key, ())}
        placed = [_word(text, 100.0 + 60 * k) for k, text in enumerate(label_cells)]
        placed += [_word(number, COLUMN_X[j]) for j, number in numbers.items()]
        if moved and key in moved:
            placed[-1] = _word(placed[-1][0], moved[key])
        lines.append(placed)
        for j in blank.get(key, ()):
            expected[f"apply.{key}.{keys.APPLY_COLUMNS[j]}"] = None
    rows, places = layout_cells(lines)
    return read_tables(rows, places=places), expected


def test_row_with_blank_cells_puts_its_numbers_in_the_columns_they_stand_in() -> None:
    result, expected = _placed_table_three({"unprocessed.repeat": {1, 2, 3, 4, 5}})
    read = {key: metric.value for key, metric in result.metrics.items()}
    assert read | expected == read
    assert read["apply.unprocessed.repeat.total"] == expected["apply.unprocessed.repeat.total"]
    assert result.short_rows == ()
    assert not any(row.startswith("apply") for row in result.missing_rows)


def test_with_no_full_row_the_column_headers_say_where_the_columns_are() -> None:
    # Nobody in the business or legal columns: no row prints all seven numbers.
    every_row = {key: {1, 4} for _, key in APPLY_LABELS_2021}
    result, expected = _placed_table_three(every_row | {"unprocessed.repeat": {1, 2, 3, 4, 5}})
    read = {key: metric.value for key, metric in result.metrics.items()}
    assert read | expected == read
    assert result.short_rows == ()


def test_number_standing_between_two_columns_leaves_its_row_short() -> None:
    # The total printed half-way between the 其他 and 总计 columns: its column is unknown.
    result, _ = _placed_table_three(
        {"unprocessed.repeat": {1, 2, 3, 4, 5}},
        moved={"unprocessed.repeat": (COLUMN_X[5] + COLUMN_X[6]) / 2},
    )
    assert result.short_rows == ("apply.unprocessed.repeat",)


@pytest.fixture(scope="module")
def blank_cell_reports() -> list[Rendering]:
    """Reports 0 and 4 of 100 (seed 18) drawn without rules: 0 is a 2021 report whose table 三
    prints its 其他处理 as the 2019 form's single row, 4 a 2019 one; no row of table 三 of
    either prints all seven columns."""
    specs = generate(100, seed=SEED)
    return [
        Rendering(
            "pdf_wps_borderless",
            render_wps_pdf(i, specs[i], borderless=True),
            "http://x/a.pdf",
            {},
            wps_truth(i, specs[i]),
        )
        for i in (0, 4)
    ]


def test_wps_pdfs_without_rules_read_rows_with_blank_cells_in_their_columns(
    blank_cell_reports: list[Rendering],
) -> None:
    for rendering in blank_cell_reports:  # the reports have blank cells, or this proves nothing
        assert None in rendering.truth.metrics.values()
    assert "apply.other.single.total" in blank_cell_reports[0].truth.metrics
    figures = score(blank_cell_reports)
    # Before rows were read by the columns their numbers stand in: 279 of 384 cells, the rows
    # with blank cells missing and the single 其他处理 row not read.
    assert figures["cells_right"] == figures["cells"], figures
    assert figures["statuses"] == {STATUS_OK: 1, STATUS_PARTIAL: 1}  # 0 lacks 3 template rows


def test_numbers_read_from_a_text_layer_carry_the_box_they_are_printed_in(
    blank_cell_reports: list[Rendering],
) -> None:
    body = blank_cell_reports[0].body
    report = extract_document(body, "http://x/a.pdf")
    printed = {key: metric for key, metric in report.metrics.items() if metric.raw}
    assert len(printed) == 80  # its truth prints 80 of its 186 cells, the rest blank
    assert_every_number_traceable(body, printed)  # blank cells were printed nowhere
