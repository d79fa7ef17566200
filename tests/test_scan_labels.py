"""OCR's misspelt row labels put right before the table reader (`pipeline.extraction.scan_labels`)."""

from __future__ import annotations

from pipeline.extraction import labels
from pipeline.extraction.scan_labels import snapped_label


def test_a_label_with_one_misread_character_becomes_the_template_word() -> None:
    # 途期 for 逾期: the 2021 template's row (六）2 is otherwise not found.
    misread = "2申请人途期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    snapped = snapped_label(misread)
    assert labels.numbering(snapped) == "2"
    assert labels.bare_core(snapped) == (
        "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请"
    )


def test_a_closing_bracket_lost_at_the_end_of_a_wrapped_label_is_restored() -> None:
    snapped = snapped_label("（二）部分公开（区分处理的，只计这一情形，不计其他情形")
    assert labels.bare_core(snapped) == "部分公开"


def test_numbers_and_distinct_labels_are_left_alone() -> None:
    for cell in ("12", "1614.15", "行政处罚", "其他结果", "结果纠正", "示例市人民政府办公室"):
        assert snapped_label(cell) == cell


def test_a_long_label_with_two_misread_characters_becomes_the_template_word() -> None:
    # 申 read 中 and 容 read 客: the row （四）3 was lost at one edit allowed.
    snapped = snapped_label("3.补正后中请内客仍不明确")
    assert labels.numbering(snapped) == "3."
    assert labels.bare_core(snapped) == "补正后申请内容仍不明确"


def test_a_label_as_near_to_two_template_words_is_left_as_read() -> None:
    # Two edits from 本年新收政府信息公开申请数量 and two from 上年结转政府信息公开申请数量.
    cell = "去年新转政府信息公开申请数量"
    assert snapped_label(cell) == cell
