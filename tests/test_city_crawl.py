"""A city portal whose 年报 column indexes its departments' and districts' sub-columns, crawled for
real over loopback: every department's report under its own agency, with the city as its parent.

The sample city portal (`portal.city_site`) names each report's agency one way only: in the title,
in the page's 发布机构 table, or in the signature at the end; the portal's own agency (the city) is
the fallback a report must not fall to.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils
from conftest import run_nianbao

from archive.report_rows import agency_id
from portal.city_site import CITY, DEPARTMENTS, DISTRICTS, CityPortal

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("city")


@pytest.fixture(scope="module")
def crawled(folder: Path) -> tuple[sqlite_utils.Database, dict]:
    with CityPortal(seed=3) as portal:
        sources = folder / "city.yaml"
        portal.write_sources(sources)
        db_path = folder / "nianbao.db"
        run_nianbao(
            "crawl",
            "--sources",
            str(sources),
            "--db",
            str(db_path),
            "--archive",
            str(folder / "archive"),
            "--log-level",
            "WARNING",
        )
        truth = dict(portal.truth)
    return sqlite_utils.Database(db_path), truth


def test_every_report_of_every_sub_column_is_found(crawled: tuple) -> None:
    db, truth = crawled
    stored = {row["url"]: row for row in db.query("select url, extraction_status from reports")}
    assert set(truth) <= set(stored), sorted(set(truth) - set(stored))[:5]
    # Each is a whole report with its tables, whichever way it names its agency.
    assert {stored[url]["extraction_status"] for url in truth} == {"ok"}
    # The sub-columns' second pages too: each agency has a report on page 2 of its column.
    assert {t.agency for t in truth.values()} == {CITY} | {a for a, _ in DEPARTMENTS + DISTRICTS}


def test_each_report_is_credited_to_the_agency_its_own_page_names(crawled: tuple) -> None:
    db, truth = crawled
    stored = {row["url"]: row["agency"] for row in db.query("select url, agency from reports")}
    wrong = {
        url: (stored.get(url), t.agency) for url, t in truth.items() if stored.get(url) != t.agency
    }
    assert not wrong, wrong
    # Every way of naming the agency was met on a department's page, not only the title.
    credits = Counter(t.credit for t in truth.values() if t.agency != CITY)
    assert set(credits) == {"title", "table", "signature"}


def test_each_department_and_district_has_the_city_as_parent(crawled: tuple) -> None:
    db, _ = crawled
    agencies = {row["name"]: row for row in db.query("select * from agencies")}
    for agency, _column in DEPARTMENTS + DISTRICTS:
        assert agencies[agency]["parent_id"] == agency_id(CITY), agency
        # Each report links to its own agency's row.
        linked = {row["agency_id"] for row in db.query(
            "select agency_id from reports where agency = ?", [agency])}  # fmt: skip
        assert linked == {agency_id(agency)}
    assert agencies[CITY]["parent_id"] is None
    kinds = {name: (row["kind"], row["department_type"]) for name, row in agencies.items()}
    assert kinds["示例市民政局（示例）"] == ("department", "民政")
    assert kinds["示例市示例一区人民政府（示例）"] == ("government", None)
    # Fictional places are on no map: no code is guessed for them.
    assert all(row["division_code"] is None for row in agencies.values())


def test_a_rebuild_from_the_archive_places_and_parents_the_agencies_alike(
    crawled: tuple, folder: Path
) -> None:
    db, _ = crawled
    rebuilt = folder / "rebuilt.db"
    run_nianbao(
        "rebuild",
        "--archive",
        str(folder / "archive"),
        "--db",
        str(rebuilt),
        "--sources",
        str(folder / "city.yaml"),
        "--no-progress",
    )
    query = "select * from agencies order by id"
    assert list(sqlite_utils.Database(rebuilt).query(query)) == list(db.query(query))
