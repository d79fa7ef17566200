"""Placement in the published database: each agency's parent and what only its portals settle,
decided at publishing whatever order the reports were stored in; agencies stored before placement
placed; the canned query lists the agencies no division could be found for, and only those."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from test_datasette_queries import published_datasette
from test_store import SOURCE, document, report

from archive.publish import prepare_for_publishing
from archive.report_rows import agency_id, agency_row
from archive.row_writes import write_agencies
from archive.schema import open_db
from archive.store import store_report, store_source
from crawler.sources import Source

# Three portals: the city's, the province's, and another province's city (福州).
PROVINCE = replace(
    SOURCE, id="henan-gov", agency="河南省人民政府", region="河南省", level="province"
)
FUZHOU = replace(SOURCE, id="fuzhou-gov", agency="福州市人民政府", region="福建省福州市")
# (portal, agency the report names, its URL's tail)
REPORTS: list[tuple[Source, str, str]] = [
    (SOURCE, "洛阳市民政局", "a"),
    (SOURCE, "洛阳市民政局", "b"),
    (PROVINCE, "洛阳市民政局", "c"),  # also reposted by the province: fewer reports there
    (PROVINCE, "濮阳市民政局", "d"),  # another city's department, on the province's portal only
    (SOURCE, "河南省民政厅", "e"),  # a province's department on the city's portal
    (FUZHOU, "鼓楼区民政局", "f"),  # four 鼓楼区: 福州's portal settles which
    (FUZHOU, "洛阳市民政局", "g"),  # a report reposted far away: not its parent
]


def _stored(path: Path, order: list[tuple[Source, str, str]]) -> dict[str, tuple]:
    db = open_db(path)
    for source in (SOURCE, PROVINCE, FUZHOU):
        store_source(db, source)
    for source, agency, tail in order:
        doc = document(url=f"http://127.0.0.1:8000/{tail}.html")
        doc.source_id = source.id
        store_report(db, doc, report({}, agency=agency))
    prepare_for_publishing(db)
    names = {row["id"]: row["name"] for row in db["agencies"].rows}
    return {
        row["name"]: (names.get(row["parent_id"]), row["division_code"])
        for row in db["agencies"].rows
    }


def test_an_agencys_parent_is_the_government_whose_portal_published_most_of_its_reports(
    tmp_path: Path,
) -> None:
    stored = _stored(tmp_path / "a.db", REPORTS)
    assert stored["洛阳市民政局"] == ("洛阳市人民政府", "410300")
    assert stored["濮阳市民政局"] == ("河南省人民政府", "410900")
    assert stored["河南省民政厅"] == (None, "410000")  # a province's department is no city's
    assert stored["鼓楼区民政局"] == ("福州市人民政府", "350102")
    assert stored["洛阳市人民政府"] == (None, "410300")
    # The same reports stored in the opposite order give the same parents and places.
    assert _stored(tmp_path / "b.db", REPORTS[::-1]) == stored


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
            agency_row("市财政局"),  # names no city
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


def test_two_portals_hosting_each_others_reports_make_no_circle_of_parents(tmp_path: Path) -> None:
    first = replace(SOURCE, id="first", agency="甲地人民政府（示例）", region=None)
    second = replace(SOURCE, id="second", agency="乙地人民政府（示例）", region=None)
    db = open_db(tmp_path / "c.db")
    for source in (first, second):
        store_source(db, source)
    for tail, (source, agency) in enumerate([(first, second.agency), (second, first.agency)]):
        doc = document(url=f"http://127.0.0.1:8000/{tail}.html")
        doc.source_id = source.id
        store_report(db, doc, report({}, agency=agency))
    prepare_for_publishing(db)
    parents = {row["id"]: row["parent_id"] for row in db["agencies"].rows}
    a, b = agency_id(first.agency), agency_id(second.agency)
    assert not (parents[a] == b and parents[b] == a)
    assert parents[a] == b or parents[b] == a  # one of them is still the other's
