"""China's administrative divisions by name: the table agencies are placed with, and its name variants.

The table (`divisions.json` beside this module) is made by `scripts/division_table.py` from a
registry package, with its provenance in its `meta`; nothing in it is typed by hand. Each row is a
current province, prefecture or county with its 6-digit 行政区划代码, or a division renamed, merged
or abolished since 2000 under its old name and code (`until`: the year it went).

Agencies write division names in a few usual short forms, generated here from the table itself:
an autonomous prefecture, county or banner by the place name before its peoples (湘西土家族苗族
自治州 → 湘西州, 湘西自治州; 长阳土家族自治县 → 长阳县), an autonomous region by its name before
its peoples (广西壮族自治区 → 广西). A short form that two divisions share names neither.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "divisions.json"

LEVEL_PROVINCE = "province"
LEVEL_PREFECTURE = "prefecture"
LEVEL_COUNTY = "county"
LEVEL_TOWNSHIP = "township"
LEVEL_NATIONAL = "national"
_DEPTH = {LEVEL_PROVINCE: 1, LEVEL_PREFECTURE: 2, LEVEL_COUNTY: 3}

# The autonomous divisions' suffixes, and the plain suffix their short forms take.
_AUTONOMOUS = {"自治州": "州", "自治县": "县", "自治旗": "旗", "自治区": ""}


@dataclass(frozen=True)
class Division:
    """One row of the table."""

    code: str  # 6 digits
    name: str
    level: str  # province, prefecture or county
    province: str | None
    prefecture: str | None
    county: str | None
    until: int | None  # the year an old name went; None for a current division

    @property
    def depth(self) -> int:
        return _DEPTH[self.level]

    def contains(self, other: Division) -> bool:
        """Whether `other` lies within this division (or is it)."""
        if self.level == LEVEL_PROVINCE:
            return other.code[:2] == self.code[:2]
        if self.level == LEVEL_PREFECTURE:
            return other.code[:4] == self.code[:4] and other.depth >= self.depth
        return other.code == self.code


def _short_forms(name: str) -> list[str]:
    """The usual short forms of an autonomous division's name (none for the others)."""
    for suffix, plain in _AUTONOMOUS.items():
        if not name.endswith(suffix) or "族" not in name:
            continue
        # The place name comes before its peoples: every prefix of what precedes the first
        # 族 may be it (湘西 of 湘西土家族…); a prefix that is no place name is never written.
        before_peoples = name[: name.index("族")]
        forms = []
        for end in range(2, len(before_peoples)):
            stem = before_peoples[:end]
            forms += [stem + plain, stem + suffix] if plain else [stem]
        return forms
    return []


@dataclass(frozen=True)
class DivisionTable:
    """Every division by each name it is written with (several divisions may share one)."""

    by_name: dict[str, tuple[Division, ...]]
    meta: dict[str, object]

    def named(self, name: str) -> tuple[Division, ...]:
        return self.by_name.get(name, ())

    def longest_names_at(self, text: str, start: int = 0) -> list[str]:
        """The names the text has at `start`, longest first."""
        return [
            text[start:end]
            for end in range(min(len(text), start + _LONGEST_NAME), start + 1, -1)
            if text[start:end] in self.by_name
        ]


_LONGEST_NAME = 20


@cache
def division_table() -> DivisionTable:
    """The table, loaded once per process."""
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    full: dict[str, list[Division]] = defaultdict(list)
    short: dict[str, list[Division]] = defaultdict(list)
    for row in data["rows"]:
        division = Division(*row)
        full[division.name].append(division)
        for form in _short_forms(division.name):
            short[form].append(division)
    by_name = {name: tuple(divisions) for name, divisions in full.items()}
    for form, divisions in short.items():
        # A full name wins over anyone's short form; a short form two divisions share is dropped.
        if form not in by_name and len({d.code for d in divisions}) == 1:
            by_name[form] = tuple(divisions)
    return DivisionTable(by_name=by_name, meta=data["meta"])
