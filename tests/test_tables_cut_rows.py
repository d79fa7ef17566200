"""read_tables on table 三 rows as page breaks, wrapping and typos leave them in real PDFs.

The rows start from the template wording typed in tests/test_tables_constructed.py (values a
distinct number per cell from its generator) and are then cut, wrapped or misspelt the ways
the Chromium and LibreOffice prints of the sample portal's reports show them.
"""

from __future__ import annotations

from test_tables_constructed import (
    APPLY_LABELS_2021,
    active_2021,
    apply_table,
    review_table,
    values_of,
)

from pipeline.extraction import keys, labels
from pipeline.extraction.tables import read_tables

COLUMNS = len(keys.APPLY_COLUMNS)


def _tables(edit) -> tuple[list[list[str]], dict[str, float]]:
    """Tables 二, 三 and 四 of the 2021 template with `edit` applied to table 三's rows."""
    active, e1 = active_2021()
    apply, e2 = apply_table(APPLY_LABELS_2021)
    review, e3 = review_table()
    return active + edit(apply) + review, {**e1, **e2, **e3}


def _at(rows: list[list[str]], label_end: str) -> int:
    return next(i for i, row in enumerate(rows) if any(c.endswith(label_end) for c in row))


def test_row_cut_by_a_page_break_after_its_numbers_is_found() -> None:
    def cut(rows: list[list[str]]) -> list[list[str]]:
        at = _at(rows, "3.要求提供公开出版物")
        rows[at][0] = "3．要求提供"
        # The next page: group columns continued (empty), the label's end, empty value cells.
        return rows[: at + 1] + [["", "", "公开出版物"] + [""] * COLUMNS] + rows[at + 1 :]

    rows, expected = _tables(cut)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_row_cut_by_a_page_break_before_its_numbers_is_found() -> None:
    def cut(rows: list[list[str]]) -> list[list[str]]:
        at = _at(rows, "2.没有现成信息需要另行制作")
        numbers = rows[at][1:]
        rows[at] = ["2．没"] + [""] * COLUMNS
        # The group label's end (供) is printed on the next page between the label's halves.
        return rows[: at + 1] + [["", "供", "有现成信息需要另行制作", *numbers]] + rows[at + 1 :]

    rows, expected = _tables(cut)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_label_wrapped_inside_its_note_is_found() -> None:
    # As the 淮安市 2024 report's PDF text prints it: the note wraps, the numbers follow its end.
    def wrap(rows: list[list[str]]) -> list[list[str]]:
        at = _at(rows, "不计其他情形）")
        numbers = rows[at][-COLUMNS:]
        head = [["（二）部分公开（区分处理的，只计这一情"]]
        return rows[:at] + head + [["形，不计其他情形）", *numbers]] + rows[at + 1 :]

    rows, expected = _tables(wrap)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_label_with_a_swapped_and_a_dropped_character_is_found_by_its_place() -> None:
    def misspell(rows: list[list[str]]) -> list[list[str]]:
        rows[_at(rows, "6.属于四类过程性信息")][0] = "6.属于四类程过性信息"
        rows[_at(rows, "1.本机关不掌握相关政府信息")][1] = "1.本机关不掌相关政府信息"
        return rows

    rows, expected = _tables(misspell)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_label_of_another_row_is_not_taken_for_a_typo() -> None:
    def swap(rows: list[list[str]]) -> list[list[str]]:
        # 予以公开 printed where 部分公开 belongs: one character apart, but not a typo of it.
        rows[_at(rows, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")][0] = (
            "（二）予以公开"
        )
        return rows

    rows, _ = _tables(swap)
    assert "apply.partial" in read_tables(rows).missing_rows


def test_table_four_is_read_when_the_last_row_of_table_three_is_missing() -> None:
    def drop_last(rows: list[list[str]]) -> list[list[str]]:
        return rows[:-1]

    rows, expected = _tables(drop_last)
    result = read_tables(rows)
    assert result.missing_rows == ("apply.carried_out",)
    assert all(values_of(result)[key] == expected[key] for key in keys.REVIEW_KEYS)


def test_single_other_row_in_a_2021_table_is_kept_under_its_own_key() -> None:
    def hybrid(rows: list[list[str]]) -> list[list[str]]:
        first = _at(rows, "不再处理其政府信息公开申请")
        numbers = ["7", "0", "0", "1", "0", "0", "8"]
        # （六）其他处理 printed as the 2019 template's single row, in place of the three rows.
        return [*rows[:first], ["（六）其他处理", *numbers], *rows[first + 3 :]]

    rows, expected = _tables(hybrid)
    result = read_tables(rows)
    read = values_of(result)
    assert [read[f"apply.other.single.{c}"] for c in keys.APPLY_COLUMNS] == [7, 0, 0, 1, 0, 0, 8]
    assert read["apply.total.natural"] == expected["apply.total.natural"]
    assert read["apply.carried_out.total"] == expected["apply.carried_out.total"]
    assert result.missing_rows == tuple(
        f"apply.{row}" for row in ("other.no_correction", "other.no_fee", "other.other")
    )


def test_a_2021_table_with_its_three_other_rows_has_no_single_other_row() -> None:
    rows, _ = _tables(lambda rows: rows)
    metrics = read_tables(rows).metrics
    assert "apply.other.other.natural" in metrics
    assert "apply.other.natural" not in metrics
    assert "apply.other.single.natural" not in metrics


def test_label_wrapped_in_three_parts_around_its_group_label_is_found() -> None:
    def wrap(rows: list[list[str]]) -> list[list[str]]:
        # As an unruled table's text gives it: the label's lines, the group label's lines
        # between them, the numbers beside the middle line.
        at = _at(rows, "2.没有现成信息需要另行制作")
        numbers = rows[at][1:]
        wrapped = [["2．没有现成"], ["（四）无法提"], ["信息需要另行", *numbers], ["供"], ["制作"]]
        return rows[:at] + wrapped + rows[at + 1 :]

    rows, expected = _tables(wrap)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_wrapped_label_with_a_typo_in_its_first_line_is_found() -> None:
    def wrap(rows: list[list[str]]) -> list[list[str]]:
        # 律 and 行 swapped in the label's first line, its numbers beside that line, the rest
        # of the label on the next: the rows after it are found too.
        at = _at(rows, "2.其他法律行政法规禁止公开")
        numbers = rows[at][1:]
        return rows[:at] + [["2．其他法行律政法规禁止公", *numbers], ["开"]] + rows[at + 1 :]

    rows, expected = _tables(wrap)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_wrapped_label_with_a_typo_and_its_numbers_beside_its_second_line_is_found() -> None:
    def wrap(rows: list[list[str]]) -> list[list[str]]:
        at = _at(rows, "不再处理其政府信息公开申请")
        numbers = rows[at][2:]
        wrapped = [  # 无 dropped from the first line; the label wraps in three lines
            ["（六）其他处理", "1．申请人正当理由逾期不补正"],
            ["、行政机关不再处理其政府信", *numbers],
            ["息公开申请"],
        ]
        return rows[:at] + wrapped + rows[at + 1 :]

    rows, expected = _tables(wrap)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_numbers_beside_a_group_label_line_between_a_wrapped_labels_lines_are_its_own() -> None:
    def wrap(rows: list[list[str]]) -> list[list[str]]:
        # The group label （四）无法提供 wraps beside the row; the row's numbers, centred in it,
        # land on the group label's second line, between the label's two lines.
        at = _at(rows, "2.没有现成信息需要另行制作")
        numbers = rows[at][1:]
        wrapped = [["2．没有现成信息需要另行制"], ["（四）无"], ["法提供", *numbers], ["作"]]
        return rows[:at] + wrapped + rows[at + 1 :]

    rows, expected = _tables(wrap)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_short_first_line_with_a_typo_is_not_taken_for_a_label() -> None:
    # Six characters afford no edit at one per eight: only an exact beginning names the row.
    assert not labels.nearly("本机不关掌握", "本机关不掌握相关政府信息")
    assert labels.nearly("本机关不掌握", "本机关不掌握相关政府信息")


def test_wrapped_label_with_a_typo_past_its_first_line_and_a_group_label_piece_is_found() -> None:
    def wrap(rows: list[list[str]]) -> list[list[str]]:
        at = _at(rows, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")
        numbers = rows[at][1:]
        wrapped = [  # 行 dropped from the second line; 理 (of （六）其他处理) before it
            ["2．申请人逾期未按收费通知要求缴纳费"],
            ["理", "用、政机关不再处理其政府信息公开申", *numbers],
            ["请"],
        ]
        return rows[:at] + wrapped + rows[at + 1 :]

    rows, expected = _tables(wrap)
    result = read_tables(rows)
    assert values_of(result) == expected
    assert result.missing_rows == ()


def test_first_line_of_a_label_with_no_numbers_after_it_is_a_missing_row() -> None:
    def cut(rows: list[list[str]]) -> list[list[str]]:
        at = _at(rows, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")
        return rows[:at] + [["2．申请人逾期未按收费通知要求缴纳费"], ["（页脚）"]] + rows[at + 1 :]

    rows, _ = _tables(cut)
    result = read_tables(rows)
    assert result.missing_rows == ("apply.other.no_fee",)
    assert result.metrics["apply.other.no_fee.natural"].value is None
