"""text_to_rows: the flattened text layouts of real pages → rows of cells."""

from __future__ import annotations

from pipeline.extraction.text_cells import text_to_rows


def test_tab_separated_rows_keep_empty_cells() -> None:
    text = "第二十条第（一）项\t\t\t\n规章\t0\t0\t0\n"
    assert text_to_rows(text) == [["第二十条第（一）项", "", "", ""], ["规章", "0", "0", "0"]]


def test_tab_rows_starting_with_an_empty_cell() -> None:
    assert text_to_rows("\t\t2. 其他\t0\t1") == [["", "", "2. 其他", "0", "1"]]


def test_one_cell_per_line_rows_end_at_blank_lines() -> None:
    text = "\t规章\n\t0\n\t\xa0\n\n\t规范性文件\n\t1\n"
    assert text_to_rows(text) == [["规章", "0", ""], ["规范性文件", "1"]]


def test_one_cell_per_line_keeps_bare_tab_as_empty_cell() -> None:
    assert text_to_rows("\t\n\t（二）部分公开\n\t0\n") == [["", "（二）部分公开", "0"]]


def test_pipe_cells_join_into_one_row_with_bare_pipes_as_empty_cells() -> None:
    text = "规章 |\n0 |\n|||\n-10 |\n"
    assert text_to_rows(text) == [["规章", "0", "", "", "", "-10"]]


def test_markdown_row_is_split_and_rule_dropped() -> None:
    assert text_to_rows("| a | b |\n|---|---|\n| 1 | 2 |") == [["a", "b"], ["1", "2"]]


def test_narrative_lines_are_single_cell_rows() -> None:
    text = "## 一、总体情况\n\n2020年，我局共收到申请3件。\n"
    assert text_to_rows(text) == [["## 一、总体情况"], ["2020年，我局共收到申请3件。"]]


def test_narrative_after_pipe_run_starts_a_new_row() -> None:
    assert text_to_rows("0 |\n0 |\n五、存在的主要问题") == [["0", "0"], ["五、存在的主要问题"]]


def test_prose_ending_in_a_number_stays_one_cell() -> None:
    lines = ["全年共收到申请。较上年增加 12", "- 4 -", "第二十条 第（八）项", "2024"]
    assert text_to_rows("\n".join(lines)) == [[line] for line in lines]
