"""Agencies placed on the map of China and in their government, from their names alone.

`place_agency` gives an agency's 6-digit 行政区划代码, its province / prefecture / county, its
level and its kind (government, general office, department and which); `divisions.json` is the
division table it reads (made by `scripts/division_table.py`, provenance in its `meta`).
Pure: a name (and the portal's region) in, a `Placement` out; `archive.report_rows` applies it
whenever an agency row is written, so a crawl and a rebuild place alike. Publishing
(`stored.place_stored_agencies`) places what only the portals' regions settle, and gives each
agency its parent, from all the portals its reports were found on, whatever order they came in.
"""

from archive.placement.place import (
    PLACEMENT_COLUMNS,
    Placement,
    place_agency,
    region_division,
    within,
)

__all__ = ["PLACEMENT_COLUMNS", "Placement", "place_agency", "region_division", "within"]
