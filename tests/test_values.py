"""parse_value: the printed text of a cell → the number printed (or None)."""

from __future__ import annotations

import pytest

from pipeline.extraction.values import parse_value


def test_plain_integer() -> None:
    assert parse_value("145") == 145


def test_thousands_separator_with_decimals() -> None:
    assert parse_value("2,727.174") == 2727.174


def test_full_width_thousands_separator() -> None:
    assert parse_value("2，727") == 2727


def test_full_width_digits_and_point() -> None:
    assert parse_value("２７２７．１７４") == 2727.174


def test_explicit_plus_sign() -> None:
    assert parse_value("+36") == 36


def test_minus_signs_ascii_and_full_width() -> None:
    assert parse_value("-10") == -10
    assert parse_value("－5") == -5


@pytest.mark.parametrize("raw", ["9项", "12件", "3条", "4个"])
def test_count_unit_suffix_is_stripped(raw: str) -> None:
    assert parse_value(raw) == float(raw[:-1])


def test_wan_yuan_suffix_stays_in_wan_yuan() -> None:
    assert parse_value("20.268490万元", unit_hint="万元") == 20.26849


def test_yuan_converts_to_wan_yuan_when_hinted() -> None:
    assert parse_value("123456元", unit_hint="万元") == 12.3456


def test_yuan_kept_as_printed_without_hint() -> None:
    assert parse_value("5000元") == 5000


def test_spaces_and_nbsp_around_number() -> None:
    assert parse_value("\xa00 ") == 0
    assert parse_value(" 409 ") == 409


@pytest.mark.parametrize("raw", ["", " ", "\xa0", "\u3000"])
def test_blank_is_none(raw: str) -> None:
    assert parse_value(raw) is None


@pytest.mark.parametrize("raw", ["—", "——", "-", "/", "无", "－"])
def test_placeholder_is_none(raw: str) -> None:
    assert parse_value(raw) is None


@pytest.mark.parametrize("raw", ["规章", "12,34", "1.2.3", "约5", "5-6"])
def test_text_that_is_not_one_number_is_none(raw: str) -> None:
    assert parse_value(raw) is None


def test_zero_is_zero_not_none() -> None:
    assert parse_value("0") == 0
