"""An agency placed on the map by its name: its division's code and names, its level and kind.

The name is read from its start as a chain of division names, each within the one before
(河南省|洛阳市|涧西区|民政局), then what follows says the kind (`archive.placement.kinds`). A name
shared by several divisions (鼓楼区, 朝阳区) is settled by the divisions written before it, else by
the region a portal gives (`region`, e.g. 江苏省南京市; `archive.placement.stored` asks with the
regions of every portal that published the agency); when it is still not one division, the
agency stays unplaced. A wrong code is worse
than none: nothing is guessed from a part of a name (市民政局 names no city).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from archive.placement.divisions import (
    LEVEL_COUNTY,
    LEVEL_NATIONAL,
    LEVEL_PREFECTURE,
    LEVEL_PROVINCE,
    LEVEL_TOWNSHIP,
    Division,
    DivisionTable,
    division_table,
)
from archive.placement.kinds import (
    KIND_DEPARTMENT,
    KIND_GENERAL_OFFICE,
    KIND_GOVERNMENT,
    agency_kind,
    department_type,
    unplaced_kind,
)

# Vertically managed systems name their local offices after the national body first
# (国家税务总局洛阳市税务局): the divisions follow it.
_NATIONAL_PREFIXES = ("中华人民共和国", "国家税务总局")
_NATIONAL = re.compile(r"^(中华人民共和国|国务院|国家)|^[\u4e00-\u9fff]{2,10}(部|总署|总局)$")
_NATIONAL_OFFICE = re.compile(r"^国务院办公厅$")
# A name written like a division's but not in the table (a misspelt, newer or fictional one).
_DIVISION_LIKE = re.compile(r"^[\u4e00-\u9fff]{2,10}?(自治州|自治县|地区|市|区|县|州|盟|旗)")


@dataclass(frozen=True)
class Placement:
    """Where an agency sits: all None but `kind` (and `department_type`) when it is unplaced;
    `unplaced` says why."""

    division_code: str | None = None
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    level: str | None = None
    kind: str | None = None
    department_type: str | None = None
    unplaced: str | None = None

    def columns(self) -> dict[str, str | None]:
        """The agencies columns this placement fills (PLACEMENT_COLUMNS)."""
        return {column: getattr(self, column) for column in PLACEMENT_COLUMNS}


# The agencies columns a placement fills.
PLACEMENT_COLUMNS = (
    "division_code",
    "province",
    "prefecture",
    "county",
    "level",
    "kind",
    "department_type",
)
_DEPTHS = {
    LEVEL_NATIONAL: 0,
    LEVEL_PROVINCE: 1,
    LEVEL_PREFECTURE: 2,
    LEVEL_COUNTY: 3,
    LEVEL_TOWNSHIP: 4,
}


def level_depth(level: str | None) -> int | None:
    """0 for national … 4 for township; None for a level not known."""
    return _DEPTHS.get(level or "")


def within(code: str, level: str | None, parent_code: str, parent_level: str | None) -> bool:
    """Whether an agency placed at (`code`, `level`) may belong to one placed at (`parent_code`,
    `parent_level`): inside its division, and not above its level."""
    depth, parent_depth = level_depth(level), level_depth(parent_level)
    if depth is not None and parent_depth is not None and depth < parent_depth:
        return False
    # A province's code ends in 0000, a prefecture's in 00: its divisions share the rest.
    prefix = parent_code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return code.startswith(prefix)


@dataclass(frozen=True)
class _Chain:
    """The divisions a name starts with: the candidates for the last one, and where it ends."""

    candidates: tuple[Division, ...]
    end: int
    written: str  # the last division's name as written


def _read_chain(name: str, table: DivisionTable, chain: _Chain | None = None) -> _Chain | None:
    """The divisions `name` is written with from its start (or from the end of `chain`)."""
    while True:
        step = _next_division(name, table, chain)
        if step is None:
            return chain
        chain = step


def _next_division(name: str, table: DivisionTable, chain: _Chain | None) -> _Chain | None:
    """The next division written at the end of `chain` (at the start without one), within it."""
    start = chain.end if chain else 0
    for written in table.longest_names_at(name, start):
        found = table.named(written)
        if chain:
            found = tuple(
                d
                for d in found
                if any(p.contains(d) and d.depth > p.depth for p in chain.candidates)
            )
        if found:
            return _Chain(found, start + len(written), written)
    return None


def _zone_chain(name: str, table: DivisionTable) -> _Chain | None:
    """A development zone named after its city or province without 市 or 省
    (洛阳高新技术产业开发区管理委员会, 河北雄安新区管理委员会); a zone that is a division itself
    (重庆两江新区) is read on as one."""
    for end in (4, 3, 2):
        for suffix in ("市", "省"):
            found = table.named(name[:end] + suffix)
            if found and agency_kind(name[end:]).zone:
                return _read_chain(name, table, _Chain(found, end, name[:end] + suffix))
    return None


def _settled(candidates: tuple[Division, ...], hints: tuple[Division, ...]) -> Division | None:
    """The one division the candidates are, with the hints deciding between several."""
    if len({d.code for d in candidates}) == 1:
        return candidates[0]
    for hint in hints:
        # The hint's prefecture (or province) is where the agency's portal is.
        area = hint if hint.level != LEVEL_COUNTY else _area_of(hint)
        inside = tuple(d for d in candidates if area is not None and area.contains(d))
        if len({d.code for d in inside}) == 1:
            return inside[0]
    return None


def _area_of(county: Division) -> Division | None:
    """The prefecture (or province) a county lies in."""
    table = division_table()
    for name in (county.prefecture, county.province):
        for division in table.named(name or ""):
            if division.contains(county) and division.code != county.code:
                return division
    return None


def _level_below(level: str) -> str:
    return {
        LEVEL_PROVINCE: LEVEL_PREFECTURE,
        LEVEL_PREFECTURE: LEVEL_COUNTY,
        LEVEL_COUNTY: LEVEL_TOWNSHIP,
    }[level]


@lru_cache(maxsize=4096)
def region_division(region: str | None) -> Division | None:
    """The division a portal's region names (河南省洛阳市), when it names exactly one."""
    if not region:
        return None
    table = division_table()
    chain = _read_chain(region.strip(), table)
    if chain is None or chain.end != len(region.strip()):
        return None
    return _settled(chain.candidates, ())


def _national(name: str) -> Placement | None:
    if not _NATIONAL.search(name):
        return None
    if name == "国务院":
        kind, dept = KIND_GOVERNMENT, None
    elif _NATIONAL_OFFICE.match(name):
        kind, dept = KIND_GENERAL_OFFICE, None
    else:
        kind, dept = KIND_DEPARTMENT, department_type(name)
    return Placement(level=LEVEL_NATIONAL, kind=kind, department_type=dept)


def _unknown_divisions(rest: str) -> tuple[str, str]:
    """The division-like names at the start of `rest` that the table lacks (示例市示例一区 in
    示例市示例一区民政局), and what follows them. A prefix counts only when what follows is a
    government, or a department of the same known type as the whole (城市 in 城市管理局 is part of
    the department's name: without it the type changes)."""
    whole = agency_kind(rest)
    if whole.zone:
        return "", rest
    # Every run of division-like names at the start (示例市, 示例市示例一区, …); the longest after
    # which an agency of the right kind follows is taken.
    found, peeled, after = ("", rest), "", rest
    while match := _DIVISION_LIKE.match(after):
        peeled, after = peeled + match.group(0), after[match.end() :]
        kind = agency_kind(after)
        same_department = (
            kind.kind == KIND_DEPARTMENT
            and kind.department_type not in (None, "other")
            and kind.department_type == whole.department_type
        )
        if kind.kind in (KIND_GOVERNMENT, KIND_GENERAL_OFFICE) or same_department:
            found = (peeled, after)
    return found


@lru_cache(maxsize=65536)
def place_agency(name: str, region: str | None = None) -> Placement:
    """Where the agency `name` sits; `region` (a portal's) only decides between divisions of one
    name."""
    name = name.strip()
    table = division_table()
    rest_of_name = name
    for prefix in _NATIONAL_PREFIXES:
        if name.startswith(prefix) and table.longest_names_at(name, len(prefix)):
            rest_of_name = name[len(prefix) :]
            break
    chain = _read_chain(rest_of_name, table) or _zone_chain(rest_of_name, table)
    if chain is None:
        national = _national(name)
        if national is not None:
            return national
        kind = unplaced_kind(name)
        return Placement(
            kind=kind.kind, department_type=kind.department_type, unplaced="no division named"
        )
    unknown, rest = _unknown_divisions(rest_of_name[chain.end :])
    kind = agency_kind(rest)
    hint = region_division(region)
    hints = (hint,) if hint is not None else ()
    division = _settled(chain.candidates, hints)
    if division is not None and unknown:
        # Inside a division the table lacks: the names above it are known, its code and level
        # are not (the enclosing division's code would be a wrong one).
        return Placement(
            province=division.province,
            prefecture=division.prefecture,
            county=division.county,
            kind=kind.kind,
            department_type=kind.department_type if kind.kind == KIND_DEPARTMENT else None,
            unplaced=f"{unknown} is not in the division table",
        )
    if division is None:
        places = len({d.code for d in chain.candidates})
        return Placement(
            kind=kind.kind,
            department_type=kind.department_type,
            unplaced=f"{chain.written} names {places} divisions",
        )
    level = _level_below(division.level) if kind.township else division.level
    return Placement(
        division_code=division.code,
        province=division.province,
        prefecture=division.prefecture,
        county=division.county,
        level=level,
        kind=kind.kind,
        department_type=kind.department_type if kind.kind == KIND_DEPARTMENT else None,
    )


__all__ = ["PLACEMENT_COLUMNS", "Placement", "place_agency", "region_division", "within"]
