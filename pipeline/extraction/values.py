"""Turn the text of one table cell into the number the agency printed.

Cells come from HTML, PDF, DOCX and flattened text, so the same number shows up as `2,727.174`,
`２，７２７．１７４`, `+36`, `－5`, `9项` or `20.268490万元`. This module reads all of them and says
None (rather than guessing) for blanks, placeholder dashes and anything that is not a number.
It never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache, wraps
from typing import TypeVar

WAN_YUAN = "万元"
YUAN = "元"

# Printed in a cell to mean "nothing to report"; not the same as zero, so they read as None.
NULL_MARKERS = frozenset(
    {"—", "——", "-", "--", "－", "－－", "/", "／", "\\", "无", "空", "×", "…"}
)

# Unit suffixes seen after counts and amounts; 万元 must precede 元 and 万 in the alternation.
_UNIT_RE = re.compile(r"(万元|元|万|项|件|条|个|次|人|家|份|宗|起)$")
_MINUS_SIGNS = "-－−–﹣"
_PLUS_SIGNS = "+＋﹢"
_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)$")
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SPACES_RE = re.compile(r"\s+")
# Tables repeat the same few cell texts ("0", "", "—", labels) thousands of times per crawl, so
# the per-cell readers remember short texts; long ones (prose, hostile cells) are not kept.
_CACHE_SIZE = 1 << 16
CACHED_TEXT_CHARS = 80
_Result = TypeVar("_Result")


def cache_short_text(
    function: Callable[[str], _Result],
) -> Callable[[str], _Result]:
    """`function` memoised for texts of up to CACHED_TEXT_CHARS characters (and None)."""
    cached = lru_cache(maxsize=_CACHE_SIZE)(function)

    @wraps(function)
    def wrapper(text: str) -> _Result:
        if text is None or len(text) <= CACHED_TEXT_CHARS:
            return cached(text)
        return function(text)

    return wrapper


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from a cell, with the unit suffix it carried (None when bare)."""

    value: float
    unit: str | None


def _canonical(raw: str) -> str:
    # NFKC maps full-width digits, '．', '，', '＋' and ideographic spaces to their ASCII forms.
    text = unicodedata.normalize("NFKC", raw)
    return _SPACES_RE.sub("", text)


@cache_short_text
def is_blank(raw: str | None) -> bool:
    """True for a cell with nothing printed in it (spaces and nbsp only)."""
    return raw is None or _canonical(raw) == ""


@cache_short_text
def is_null_marker(raw: str | None) -> bool:
    """True for a placeholder such as '—', '/' or '无' that stands for 'nothing to report'."""
    if raw is None:
        return False
    text = raw.strip().replace("\xa0", "").replace("\u3000", "")
    return text in NULL_MARKERS or _canonical(text) in NULL_MARKERS


@cache_short_text
def read_number(raw: str | None) -> ParsedNumber | None:
    """The number in `raw` and its unit suffix, or None when the cell holds no single number."""
    if raw is None:
        return None
    text = _canonical(raw)
    if not text or is_null_marker(text):
        return None
    unit: str | None = None
    unit_match = _UNIT_RE.search(text)
    if unit_match:
        unit = unit_match.group(1)
        text = text[: unit_match.start()]
    sign = 1
    if text and text[0] in _MINUS_SIGNS:
        sign, text = -1, text[1:]
    elif text and text[0] in _PLUS_SIGNS:
        text = text[1:]
    if "," in text:
        # Only a well-formed thousands grouping is trusted; '12,34' could be two cells run together.
        if not _THOUSANDS_RE.match(text):
            return None
        text = text.replace(",", "")
    if not _NUMBER_RE.match(text):
        return None
    try:
        number = Decimal(text) * sign
    except InvalidOperation:
        return None
    if unit == "万":
        number *= 10000
        unit = None
    return ParsedNumber(value=float(number), unit=unit)


def to_wan_yuan(number: ParsedNumber, header_unit: str | None = None) -> float:
    """An amount in 万元; 元 (the cell's suffix, else the header's unit) is divided by 10000."""
    unit = number.unit or header_unit
    if unit == YUAN:
        return float(Decimal(repr(number.value)) / Decimal(10000))
    return number.value


def parse_value(raw: str, unit_hint: str | None = None) -> float | None:
    """The number printed in a cell, or None for a blank, a placeholder or unreadable text.

    `unit_hint="万元"` says the caller wants an amount in 万元: a cell printed in 元 is divided by
    10000. Without a hint the number is returned as printed (units stripped).
    """
    try:
        number = read_number(raw)
    except Exception:  # a cell must never break extraction of a whole report
        return None
    if number is None:
        return None
    if unit_hint == WAN_YUAN:
        return to_wan_yuan(number)
    return number.value
