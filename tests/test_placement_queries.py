"""Placement in the published database: agencies stored before it are placed when publishing, and
the canned query lists the agencies no division could be found for, and only those."""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_datasette_queries import published_datasette

from archive.publish import prepare_for_publishing
from archive.report_rows import agency_id, agency_row
from archive.row_writes import write_agencies
from archive.schema import open_db


def test_publishing_places_agencies_stored_before_placement(tmp_path: Path) -> None:
    db = open_db(tmp_path / "old.db")
    # A row as an older nianbao wrote it: name, region and level only.
    db.execute(
        "INSERT INTO agencies (id, name, region, level) VALUES (?, ?, ?, ?)",
        [agency_id("鼓楼区民政局"), "鼓楼区民政局", "福建省福州市", "department"],
    )
    db.conn.commit()
    prepare_for_publishing(db)
    row = db.table("agencies").get(agency_id("鼓楼区民政局"))
    # The region it was stored with settles which 鼓楼区.
    assert (row["division_code"], row["level"], row["kind"], row["department_type"]) == (
        "350102",
        "county",
        "department",
        "民政",
    )


def test_the_unplaced_agencies_query_lists_only_names_that_are_not_one_division(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nianbao.db"
    db = open_db(path)
    write_agencies(
        db,
        [
            agency_row("洛阳市民政局"),
            agency_row("中华人民共和国民政部"),  # national: no code is expected
            agency_row("鼓楼区人民政府"),  # four divisions have this name
            agency_row("市财政局", parent="洛阳市人民政府"),  # names no city
        ],
    )
    db.conn.commit()
    prepare_for_publishing(db)
    db.close()
    ds = published_datasette(path)
    response = asyncio.run(ds.client.get("/nianbao/unplaced_agencies.json?_shape=array"))
    assert response.status_code == 200, response.text[:500]
    listed = {row["name"]: row for row in response.json()}
    assert set(listed) == {"鼓楼区人民政府", "市财政局"}
    assert (listed["市财政局"]["kind"], listed["市财政局"]["department_type"]) == (
        "department",
        "财政",
    )
