"""Prose sentences (tables, short sentences and whitespace left out) and the share repeated."""

from __future__ import annotations

import pytest

from pipeline.extraction.sentences import prose_sentences, repeated_share


def test_sentences_end_at_full_stops_and_ignore_line_breaks() -> None:
    text = "本年度共收到政府信息公开申请12件，其中\n自然人申请10件\n，均按时答复。全年开展培训3次，参训120人次！"
    assert prose_sentences(text) == [
        "本年度共收到政府信息公开申请12件，其中自然人申请10件，均按时答复。",
        "全年开展培训3次，参训120人次！",
    ]


def test_table_rows_and_headings_are_not_prose() -> None:
    text = "一、本年新收政府信息公开申请数量\t12\t0\t12\n规章 | 1 | 0 | 11\n五、存在的主要问题及改进情况"
    assert prose_sentences(text) == []


def test_short_sentences_are_ignored() -> None:
    assert prose_sentences("无。特此报告。") == []


def test_repeated_share_counts_distinct_sentences_found_word_for_word() -> None:
    this = ["甲句子内容足够长一些。", "乙句子内容足够长一些。", "甲句子内容足够长一些。"]
    assert repeated_share(this, ["甲句子内容足够长一些。"]) == pytest.approx(0.5)


def test_no_sentences_give_no_share() -> None:
    assert repeated_share([], ["甲句子内容足够长一些。"]) is None
