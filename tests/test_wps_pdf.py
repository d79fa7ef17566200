"""PDFs made the way WPS makes them: page frames, cut rows, typos, hybrid tables (issue 18).

Two kinds of material: WPS-like PDFs of synthetic reports (`portal.wps_render`, whose truth is
what the rendering prints), read end to end; and table rows typed by hand in the shapes those
PDFs (and the real WPS-made city report in ../shared/samples) give the reader, with a distinct
number per cell, so a cell read into the wrong key shows up.
"""

from __future__ import annotations

import io
import sys

import pdfplumber
import pytest
from conftest import ROOT
from test_pdf_provenance import assert_every_number_traceable
from test_tables_constructed import (
    APPLY_LABELS_2021,
    active_2021,
    apply_table,
    review_table,
    values_of,
)

from pipeline.extraction import keys
from pipeline.extraction.attachments import read_pdf, read_pdf_plumber
from pipeline.extraction.attachments.pdf_frames import frame_indices
from pipeline.extraction.checks import check_tables
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_PARTIAL
from pipeline.extraction.tables import TablesResult, read_tables
from portal.formats import Rendering
from portal.synthetic import generate
from portal.wps_render import render_wps_pdf, wps_style, wps_truth

sys.path.insert(0, str(ROOT / "bench"))
from extract_accuracy import SEED, score  # noqa: E402 (bench/ is on sys.path now)

SPECS = generate(12, seed=SEED)
URL = "http://127.0.0.1/accuracy/pdf_wps/a.pdf"


def _first_with(predicate) -> int:
    return next(i for i, spec in enumerate(SPECS) if predicate(wps_style(i, spec), spec))


def test_wps_pdf_draws_a_page_frame_that_pdfplumber_takes_for_a_table() -> None:
    body = render_wps_pdf(0, SPECS[0])
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        one_column = [
            table
            for page in pdf.pages
            for table in page.find_tables()
            if all(len(row.cells) == 1 for row in table.rows)
        ]
        assert len(one_column) == len(pdf.pages)  # the frame, on every page


@pytest.mark.parametrize("reader", [read_pdf, read_pdf_plumber], ids=["pdfium", "pdfplumber"])
def test_page_frame_is_not_read_as_a_table(reader) -> None:
    body = render_wps_pdf(0, SPECS[0])
    content = reader(body)
    header_rows = [row for row in content.rows if row == [SPECS[0].agency]]
    assert not header_rows  # the frame's header cell
    assert all(len(" ".join(row)) < 300 for row in content.rows)  # nor its page-sized cell


def test_frame_enclosing_a_table_is_a_frame_but_a_boxed_paragraph_is_not() -> None:
    frame, table, boxed = (40, 40, 555, 800), (70, 300, 525, 500), (70, 100, 525, 160)
    assert frame_indices([frame, table, boxed], [True, False, True], 842) == {0}


def test_tall_one_column_table_on_a_prose_page_is_a_frame() -> None:
    assert frame_indices([(40, 40, 555, 800)], [True], 842) == {0}
    assert frame_indices([(40, 40, 555, 800)], [False], 842) == set()


@pytest.mark.parametrize(
    "index",
    [
        _first_with(lambda s, _spec: s.cut_rows and s.typos),
        _first_with(lambda s, _spec: s.hybrid),
        _first_with(lambda s, _spec: s.lookalikes),
        _first_with(lambda s, _spec: s.numbers_at == "above"),
    ],
)
def test_wps_pdf_gives_every_cell_as_printed(index: int) -> None:
    spec = SPECS[index]
    report = extract_document(render_wps_pdf(index, spec), URL, {})
    truth = wps_truth(index, spec).metrics
    wrong = {
        key: (report.value(key), value)
        for key, value in truth.items()
        if report.value(key) != value
    }
    assert not wrong


def test_numbers_of_rows_cut_by_a_page_break_say_the_page_they_are_printed_on() -> None:
    cut = [
        i
        for i, spec in enumerate(SPECS)
        if wps_style(i, spec).cut_rows and not wps_style(i, spec).hybrid
    ]
    for index in cut[:3]:
        body = render_wps_pdf(index, SPECS[index])
        report = extract_document(body, URL, {})
        assert {m.page for m in report.metrics.values()} >= {1, 2}  # tables over two pages
        assert_every_number_traceable(body, report.metrics)


def test_wps_pdfs_read_every_cell_and_no_report_is_ok_with_cells_missing() -> None:
    renderings = [
        Rendering("pdf_wps", render_wps_pdf(i, spec), URL, {}, wps_truth(i, spec))
        for i, spec in enumerate(SPECS)
    ]
    figures = score(renderings)
    assert figures["cells"] > 150 * len(SPECS)
    assert figures["accuracy"] == 1.0, figures
    assert figures["ok_missing_cells"] == 0


def _apply_2021_with(replacements: dict[str, list[str]]) -> tuple[list[list[str]], dict]:
    labels = [
        (replacements.get(row_key, label_cells), row_key)
        for label_cells, row_key in APPLY_LABELS_2021
    ]
    return apply_table(labels)


def _read(apply_rows: list[list[str]]) -> TablesResult:
    """Tables 二, 三 (`apply_rows`) and 四 read together."""
    return read_tables(active_2021()[0] + apply_rows + review_table()[0])


def _assert_every_row_read(result: TablesResult, expected: dict) -> None:
    assert values_of(result) | expected == values_of(result)
    assert not result.missing_rows


def _row_index(rows: list[list[str]], row_key: str, expected: dict) -> int:
    first_value = str(int(expected[f"apply.{row_key}.natural"]))
    return next(i for i, row in enumerate(rows) if first_value in row)


def test_row_cut_by_a_page_break_takes_its_numbers_from_the_next_page() -> None:
    rows, expected = _apply_2021_with({})
    at = _row_index(rows, "denied.enforcement", expected)
    label, numbers = rows[at][0], rows[at][1:]
    # Its label and blank cells at the foot of one page; overleaf the cut group label, the
    # empty label cells and the numbers (as the WPS-like and real PDFs print it).
    rows[at : at + 1] = [[label, *[""] * 7], ["三、本年度办理结果", "", "", *numbers]]
    _assert_every_row_read(_read(rows), expected)


def test_row_cut_after_its_first_line_joins_the_numbers_overleaf() -> None:
    rows, expected = _apply_2021_with({})
    at = _row_index(rows, "partial", expected)
    numbers = rows[at][1:]
    rows[at : at + 1] = [
        ["（二）部分公开（区分处理的，只计这一情", *[""] * 7],
        ["形，不计其他情形）", *numbers],
    ]
    result = _read(rows)
    assert values_of(result) | expected == values_of(result)


def test_blank_row_before_a_numbered_row_keeps_its_blank_cells() -> None:
    rows, expected = _apply_2021_with({})
    at = _row_index(rows, "denied.enforcement", expected)
    rows[at] = [rows[at][0], *[""] * 7]
    result = _read(rows)
    assert all(
        result.metrics[f"apply.denied.enforcement.{c}"].value is None for c in keys.APPLY_COLUMNS
    )
    assert (
        result.metrics["apply.denied.query.natural"].value == expected["apply.denied.query.natural"]
    )


@pytest.mark.parametrize(
    ("row_key", "misspelt"),
    [
        ("denied.secret", ["（三）不予公开", "1.属于国秘密"]),  # a character dropped
        ("denied.third_party", ["4.保护第三方合法益权"]),  # two swapped
        ("unable.unclear", ["3.补后正申请内容仍不明确"]),
        (  # the row after the optional hybrid row: still the next one expected
            "other.no_correction",
            ["（六）其他处理", "1.申请人正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
        ),
        (
            "other.no_fee",
            ["2.申请人逾期未按收费通知要求缴费用、行政机关不再处理其政府信息公开申请"],
        ),
    ],
)
def test_label_with_a_typo_is_matched_by_its_place_in_the_table(
    row_key: str, misspelt: list[str]
) -> None:
    rows, expected = _apply_2021_with({row_key: misspelt})
    _assert_every_row_read(_read(rows), expected)


def test_typo_far_from_its_place_names_no_row() -> None:
    rows, expected = _apply_2021_with({})
    # 属于行政查询事项 misspelt where 信访举报投诉类申请 is expected: not taken for either.
    at = _row_index(rows, "unprocessed.petition", expected)
    rows[at] = ["（五）不予处理", "1.属于行政查事项", *rows[at][2:]]
    result = _read(rows)
    assert "apply.unprocessed.petition" in result.missing_rows
    assert (
        result.metrics["apply.denied.query.natural"].value == expected["apply.denied.query.natural"]
    )


def _hybrid_rows() -> tuple[list[list[str]], dict]:
    labels = [entry for entry in APPLY_LABELS_2021 if not entry[1].startswith("other.")]
    at = next(i for i, (_, key) in enumerate(labels) if key == "total")
    labels.insert(at, (["（六）其他处理"], keys.APPLY_HYBRID_OTHER_ROW))
    active, _ = active_2021()
    rows, expected = apply_table(labels)
    return active + rows + review_table()[0], expected


def test_hybrid_single_other_row_is_recorded_as_printed_and_the_rest_still_read() -> None:
    rows, expected = _hybrid_rows()
    result = read_tables(rows)
    assert result.template == keys.TEMPLATE_2021
    assert values_of(result) | expected == values_of(result)  # total and carried_out included
    assert set(result.missing_rows) == {
        "apply.other.no_correction",
        "apply.other.no_fee",
        "apply.other.other",
    }


def test_report_with_a_hybrid_table_is_partial_naming_the_rows_it_lacks() -> None:
    index = _first_with(lambda s, _spec: s.hybrid)
    report = extract_document(render_wps_pdf(index, SPECS[index]), URL, {})
    assert report.status == STATUS_PARTIAL
    assert "apply.other.no_correction" in report.missing_rows
    assert report.value("apply.other.single.total") is not None


def test_total_of_a_hybrid_table_is_checked_against_its_single_other_row() -> None:
    rows, _ = _hybrid_rows()
    result = read_tables(rows)
    checks = {check.rule: check for check in check_tables(result.template, result.metrics)}
    total_check = checks["apply.total_is_sum.natural"]
    assert total_check.passed is not None  # evaluated, not unverifiable for blank 2021 rows
    assert "apply.other.single" not in {c.rule for c in checks.values() if c.passed is None}
    single = result.metrics["apply.other.single.natural"].raw
    assert single in total_check.evidence


def test_total_contradicting_its_parts_is_recorded_as_printed_and_fails_its_check() -> None:
    index = _first_with(lambda s, spec: s.wrong_total and spec.template == keys.TEMPLATE_2021)
    spec = SPECS[index]
    report = extract_document(render_wps_pdf(index, spec), URL, {})
    assert report.value("apply.total.total") == wps_truth(index, spec).metrics["apply.total.total"]
    failed = {check.rule for check in report.checks if check.passed is False}
    assert "apply.total_is_sum.total" in failed
