"""Publishing's pass over the stored agencies: what only the portals settle, and each one's parent.

Agency rows are placed by name as they are written (`archive.report_rows.agency_row`). What needs
every report's portal is decided here, at publishing, from the stored rows alone, so a crawl and
a rebuild (which stores the same reports in another order) give the same agencies:

- an agency whose name several divisions share (鼓楼区民政局) is placed when the portals its reports
  were found on all point to one of them (a portal's region, 福建省福州市, decides);
- its parent is the government whose portal published most of its reports (a department's report on
  its city's portal: the city), unless their placements say it cannot belong to it (a province's
  department is no city's); ties go to the closest government, then the smaller id;
- rows of a database older than placement (their `kind` NULL) are placed first.
"""

from __future__ import annotations

from collections import defaultdict

import sqlite_utils

from archive.placement.place import level_depth, place_agency, within


def place_stored_agencies(db: sqlite_utils.Database) -> None:
    """Place what the portals settle and set every agency's parent (inside the caller's
    transaction)."""
    if "agencies" not in db.table_names() or "kind" not in db.table("agencies").columns_dict:
        return
    for agency_id, name, region, level in db.execute(
        "SELECT id, name, region, level FROM agencies WHERE kind IS NULL"
    ).fetchall():
        _update(db, agency_id, place_agency(name, region).columns(), level)
    _place_by_portals(db)
    _assign_parents(db)


def _update(
    db: sqlite_utils.Database, agency_id: str, columns: dict[str, str | None], level: str | None
) -> None:
    columns["level"] = columns["level"] or level
    assignments = ", ".join(f"[{column}] = ?" for column in columns)
    db.execute(f"UPDATE agencies SET {assignments} WHERE id = ?", [*columns.values(), agency_id])


def _place_by_portals(db: sqlite_utils.Database) -> None:
    regions: dict[tuple[str, str, str | None], set[str]] = defaultdict(set)
    for agency_id, name, level, region in db.execute(
        """SELECT DISTINCT a.id, a.name, a.level, s.region FROM agencies a
           JOIN reports r ON r.agency_id = a.id JOIN sources s ON s.id = r.source_id
           WHERE a.division_code IS NULL AND s.region IS NOT NULL AND s.region != ''"""
    ).fetchall():
        regions[(agency_id, name, level)].add(region)
    for (agency_id, name, level), portal_regions in regions.items():
        placed = {place_agency(name, region) for region in sorted(portal_regions)}
        codes = {p.division_code for p in placed}
        if len(placed) == 1 and None not in codes:
            _update(db, agency_id, placed.pop().columns(), level)


def _closest_first(
    candidate: tuple[int, str], placement: dict[str, tuple[str | None, str | None]]
) -> tuple[int, int, str]:
    """Most reports first, then the closest government (the deepest level), then the id."""
    reports, parent_id = candidate
    depth = level_depth(placement.get(parent_id, (None, None))[1]) or 0
    return (-reports, -depth, parent_id)


def _assign_parents(db: sqlite_utils.Database) -> None:
    placement = {
        agency_id: (code, level)
        for agency_id, code, level in db.execute("SELECT id, division_code, level FROM agencies")
    }
    candidates: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for agency_id, parent_id, reports in db.execute(
        """SELECT r.agency_id, p.id, count(*) FROM reports r
           JOIN sources s ON s.id = r.source_id JOIN agencies p ON p.name = trim(s.agency)
           WHERE r.agency_id IS NOT NULL AND p.id != r.agency_id
           GROUP BY r.agency_id, p.id"""
    ).fetchall():
        candidates[agency_id].append((reports, parent_id))
    parents: dict[str, str | None] = dict.fromkeys(placement)
    for agency_id, found in sorted(candidates.items()):
        code, level = placement.get(agency_id, (None, None))
        for _reports, parent_id in sorted(found, key=lambda c: _closest_first(c, placement)):
            parent_code, parent_level = placement.get(parent_id, (None, None))
            if code and parent_code and not within(code, level, parent_code, parent_level):
                continue
            if parents.get(parent_id) == agency_id:
                continue  # two portals hosting each other's reports: no circle of parents
            parents[agency_id] = parent_id
            break
    db.conn.executemany(
        "UPDATE agencies SET parent_id = ? WHERE id = ? AND parent_id IS NOT ?",
        [(parent, agency_id, parent) for agency_id, parent in parents.items()],
    )
