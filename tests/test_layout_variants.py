"""2021-format reports laid out the ways real portals render them, each read exactly.

The fixtures (tests/fixtures/documents/variant_*.html) are hand-made pages of one fictional report
with these values, which the tests restate independently:

* table 三: the cell in row i (template row order) and applicant column j (自然人 … 总计) prints
  1000 + 10·i + j;
* table 四: the 15 cells print 31 … 45 in template order (复议, then the two kinds of 诉讼);
* table 二: the numbers in ACTIVE below.

Each variant has its own quirk: Word-pasted cells with labels split over <span>s and &nbsp; and
a three-row header (法人或其他组织 sub-headers on the third row) with row labels in two cells
("（三）不予公开" + "1.属于国家秘密"); table 三 split over two <table>s with the header repeated
after a page break; stray spaces between label characters ("规 章") and numbers printed with 件;
caption rows ("表二 …") inside tables nested in a layout table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extraction import keys
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_OK

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
ACTIVE = {
    "active.rules.issued": 3, "active.rules.repealed": 0, "active.rules.in_force": 17,
    "active.normative.issued": 21, "active.normative.repealed": 4,
    "active.normative.in_force": 133, "active.licensing.decisions": 5120,
    "active.penalty.decisions": 389, "active.coercion.decisions": 12, "active.fees.amount": 86.42,
}  # fmt: skip
APPLY = {
    f"apply.{row}.{column}": 1000 + 10 * i + j
    for i, row in enumerate(keys.APPLY_ROWS_2021)
    for j, column in enumerate(keys.APPLY_COLUMNS)
}
REVIEW = dict(zip(keys.REVIEW_KEYS, range(31, 46), strict=True))
EXPECTED = {**ACTIVE, **APPLY, **REVIEW}


def read(name: str):
    body = (FIXTURES / name).read_bytes()
    return extract_document(body, f"http://127.0.0.1/art/2023/1/20/{name}", {})


def assert_exact(name: str) -> None:
    report = read(name)
    assert (report.status, report.template, report.year) == (STATUS_OK, keys.TEMPLATE_2021, 2022)
    assert report.agency == "示例市示例九区交通运输局"
    assert set(report.metrics) == set(keys.TEMPLATE_KEYS[keys.TEMPLATE_2021])
    wrong = {k: (report.value(k), v) for k, v in EXPECTED.items() if report.value(k) != v}
    assert not wrong, f"(read, expected): {dict(list(wrong.items())[:8])}"


def test_word_pasted_tables_with_a_three_row_header_and_two_cell_labels() -> None:
    assert_exact("variant_2021_word_three_header_rows.html")


def test_table_three_split_over_two_tables_with_the_header_repeated() -> None:
    assert_exact("variant_2021_split_table.html")


def test_labels_with_spaces_between_characters_and_numbers_with_jian() -> None:
    assert_exact("variant_2021_spaced_labels_unit_suffix.html")
    report = read("variant_2021_spaced_labels_unit_suffix.html")
    assert report.metrics["active.rules.in_force"].raw == "17件"


def test_caption_rows_inside_tables_nested_in_a_layout_table() -> None:
    assert_exact("variant_2021_captions_in_layout_table.html")


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in FIXTURES.glob("variant_*.html")),
)
def test_variant_prose_agrees_with_its_tables(name: str) -> None:
    checks = {check.rule: check for check in read(name).checks}
    assert checks["narrative.apply.received"].passed is True
    assert checks["narrative.review.received"].passed is True
