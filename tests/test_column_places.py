"""Which column a printed number stands in, by its x position (`pipeline.extraction.column_places`).

Positions are in points, as a PDF's text layer gives them; columns 35 pt apart, like table 三's
seven number columns in the WPS-like PDFs of `portal.wps_render`.
"""

from __future__ import annotations

from pipeline.extraction.column_places import anchors_from_header, anchors_from_rows, columns_of

ANCHORS = [300.0 + 35 * j for j in range(7)]
NAMES = [
    ("自然人",),
    ("商业企业",),
    ("科研机构",),
    ("社会公益组织",),
    ("法律服务机构",),
    ("其他",),
    ("总计",),
]


def test_numbers_go_to_the_columns_they_stand_in() -> None:
    assert columns_of([301.0, 371.5, 509.0], ANCHORS) == [0, 2, 6]


def test_a_number_between_two_columns_is_in_neither() -> None:
    assert columns_of([301.0, 352.5, 510.0], ANCHORS) is None


def test_two_numbers_in_one_column_are_not_placed() -> None:
    assert columns_of([300.0, 303.0], ANCHORS) is None


def test_full_rows_give_the_columns() -> None:
    rows = [[300.0 + 35 * j for j in range(7)], [301.0 + 35 * j for j in range(7)]]
    anchors = anchors_from_rows(rows, 7)
    assert anchors is not None and columns_of([336.0], anchors) == [1]


def test_full_rows_that_disagree_give_no_columns() -> None:
    # The third row stands a column to the right of the others: which is right is unknown.
    rows = [[300.0 + 35 * j for j in range(7)]] * 2 + [[335.0 + 35 * j for j in range(7)]]
    assert anchors_from_rows(rows, 7) is None


def test_header_words_wrapped_over_two_lines_name_their_column() -> None:
    header = [
        ("法人或其他组织", 400.0),
        ("自然人", 298.0),
        ("总计", 510.0),
        ("社会公益", 405.0),
        ("法律服务", 440.0),
        ("商业企业", 335.0),
        ("科研机构", 370.0),
        ("其他", 475.0),
        ("组织", 405.0),
        ("机构", 440.0),
    ]
    assert anchors_from_header(header, NAMES) == [298.0, 335.0, 370.0, 405.0, 440.0, 475.0, 510.0]


def test_a_column_without_its_header_gives_no_columns() -> None:
    header = [("自然人", 298.0), ("商业企业", 335.0), ("总计", 510.0)]
    assert anchors_from_header(header, NAMES) is None


def test_one_header_printed_at_two_places_gives_no_columns() -> None:
    header = [(name[0], 300.0 + 35 * j) for j, name in enumerate(NAMES)] + [("总计", 100.0)]
    assert anchors_from_header(header, NAMES) is None
