"""A name without its place (市民政局, 县财政局) completed with the place of the portal it was found on.

Report pages often name their agency as the portal's readers know it: 市民政局 on a city's portal
is that city's 民政局. Stored as written, every city's 市民政局 would be one agency. The portal's
region (河南省洛阳市) says which place the bare 市, 县 or 区 is, when its division of that kind is
known: 市 is the portal's county-level city (灵武市), else its prefecture-level city, else its
municipality (北京市); 县 / 区 / 旗 its county-level division of that kind; 省 its province. Anything else stays as written.
"""

from __future__ import annotations

import re

from archive.placement.place import region_division

_BARE = re.compile(r"^(省|市|县|区|旗)(?![辖直属级委])")


def qualified_name(name: str, region: str | None) -> str:
    """`name` with the place its bare 省/市/县/区/旗 stands for on a portal of `region`."""
    match = _BARE.match(name)
    division = region_division(region) if match else None
    if match is None or division is None:
        return name
    word = match.group(1)
    if word == "省":
        place = division.province if (division.province or "").endswith("省") else None
    elif word == "市":
        place = next(
            (
                p
                for p in (division.county, division.prefecture, division.province)
                if p and p.endswith("市")
            ),
            None,
        )
    else:
        place = division.county if (division.county or "").endswith(word) else None
    return place + name[1:] if place else name
