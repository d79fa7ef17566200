"""The short-term index's tokens: each word's overlapping character pairs, a one-character word as
itself, whatever whitespace separates the words."""

from __future__ import annotations

from archive.publish.search import bigrams


def test_bigrams_pair_each_character_of_a_word_with_the_next() -> None:
    assert bigrams("诉讼 复议，行政").split() == ["诉讼", "复议", "议，", "，行", "行政"]


def test_a_one_character_word_is_its_own_token_and_any_whitespace_separates() -> None:
    assert bigrams(" 一\u3000二三\n\t四 ").split() == ["一", "二三", "四"]


def test_empty_or_blank_text_has_no_tokens() -> None:
    assert bigrams(None) == bigrams("") == bigrams(" \n ") == ""
