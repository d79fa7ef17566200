"""Placing the agencies a database already holds unplaced: those stored before placement existed.

Agency rows are placed as they are written (`archive.report_rows.agency_row`), so a crawl and a
rebuild place every agency they store; publishing calls `place_stored_agencies` for the rows of
an older database, which were never placed (their `kind` is NULL).
"""

from __future__ import annotations

import sqlite_utils

from archive.placement.place import place_agency


def place_stored_agencies(db: sqlite_utils.Database) -> int:
    """Place every agency row never placed; returns how many were."""
    if "agencies" not in db.table_names() or "kind" not in db.table("agencies").columns_dict:
        return 0
    rows = list(db.execute("SELECT id, name, region, level FROM agencies WHERE kind IS NULL"))
    for agency_id, name, region, level in rows:
        placement = place_agency(name, region)
        columns = {**placement.columns(), "level": placement.level or level}
        assignments = ", ".join(f"[{column}] = ?" for column in columns)
        db.execute(
            f"UPDATE agencies SET {assignments} WHERE id = ?", [*columns.values(), agency_id]
        )
    return len(rows)
