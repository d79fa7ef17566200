"""Peer comparison and regional views over a crawled sample portal, in real headless Chromium.

The sample portal's fictional agencies (示例) sit in real provinces, so placing them by name gives
each its province and department type; the peers of one province, type and year are then
compared on the dashboard and in the canned query, against the generator's truth.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from conftest import run_nianbao, served_datasette
from test_browser_datasette import BROWSER_TIMEOUT_MS, _require_chromium, chromium_context

pytestmark = pytest.mark.slow

# Enough synthetic reports that two districts of the first province report every year.
SYNTHETIC = 120
YEAR = 2021


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("peers")
    portal = SamplePortal(synthetic=SYNTHETIC, seed=5, include_seeds=False)
    portal.start()
    try:
        portal.write_sources(work / "sources.yaml")
        db = work / "peers.db"
        run_nianbao(
            "crawl", "--sources", str(work / "sources.yaml"), "--db", str(db),
            "--archive", str(work / "archive"),
        )  # fmt: skip
        yield db, dict(portal.truth)
    finally:
        portal.stop()


def _peers_in_truth(truth: dict[str, Any], province: str, department: str) -> dict[str, float]:
    """{agency: applications} of the year's reports of one department type in one province, from
    the generator (not from the database)."""
    return {
        report.agency: report.metrics["apply.new.total"]
        for report in truth.values()
        if report.year == YEAR
        and report.agency.startswith(province)
        and report.agency.removesuffix("（示例）").endswith(department)
    }


@pytest.fixture(scope="module")
def site(crawled: tuple[Path, dict[str, Any]]) -> Iterator[str]:
    _require_chromium()
    db, _ = crawled
    with served_datasette(db) as base:
        yield base


@pytest.fixture(scope="module")
def page(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium_context(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context.new_page()


def test_fictional_agencies_are_placed_in_their_real_province_without_a_code(
    crawled: tuple[Path, dict[str, Any]],
) -> None:
    db, truth = crawled
    agencies = {
        row["name"]: row
        for row in sqlite_utils.Database(db).query(
            "select name, province, division_code, department_type, kind from agencies"
        )
    }
    # The portal's own sites (示例省, 示例市, 示例县) are agencies too, with no report of their own.
    reporting = {report.agency for report in truth.values()}
    assert reporting <= set(agencies)
    for name in reporting:
        row = agencies[name]
        assert row["province"] and name.startswith(row["province"]), name
        assert row["division_code"] is None, name  # 示例市 is no real city: no code is guessed
    assert agencies["河南省示例市示例一区民政局（示例）"]["department_type"] == "民政"
    assert agencies["河南省示例市示例一区人民政府（示例）"]["kind"] == "government"


def test_peer_comparison_ranks_one_provinces_departments_of_a_type(
    site: str, page: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    _, truth = crawled
    peers = _peers_in_truth(truth, "河南省", "民政局")
    assert len(peers) >= 2  # the comparison compares something
    query = urllib.parse.urlencode({"province": "河南省", "department_type": "民政", "year": YEAR})
    page.goto(f"{site}/nianbao/peer_comparison?{query}")
    cells = page.locator("table.rows-and-columns tbody tr")
    shown = [
        (
            cells.nth(i).locator("td.col-agency").inner_text(),
            float(cells.nth(i).locator("td.col-applications_new").inner_text()),
        )
        for i in range(cells.count())
    ]
    expected = sorted(peers.items(), key=lambda item: (-item[1], item[0]))
    assert shown == expected


def test_peers_dashboard_draws_the_peers_without_leaving_the_site(
    site: str, page: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    _, truth = crawled
    peers = _peers_in_truth(truth, "河南省", "民政局")
    off_site: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else off_site.append(request.url)
        ),
    )
    query = urllib.parse.urlencode({"province": "河南省", "department_type": "民政", "year": YEAR})
    # The rows the browser fetched for the applications chart are what it plots: one bar each.
    with page.expect_response(
        lambda response: (
            ".json?sql=" in response.url
            and "applications_new" in urllib.parse.unquote(response.url)
            and "grant_rate_pct" not in urllib.parse.unquote(response.url)
        )
    ) as chart_data:
        page.goto(f"{site}/-/dashboards/peers?{query}")
    plotted = {row["agency"]: row["applications_new"] for row in chart_data.value.json()["rows"]}
    assert plotted == peers
    # One bar drawn per peer (vega-embed draws SVG marks here).
    page.wait_for_function(
        "n => document.querySelectorAll("
        "'#card-peer-applications .vega-embed svg .mark-rect path').length === n",
        arg=len(peers),
        timeout=BROWSER_TIMEOUT_MS,
    )
    assert off_site == []


def test_regional_overview_counts_every_province_the_portal_placed(
    site: str, page: Any, crawled: tuple[Path, dict[str, Any]]
) -> None:
    db, _ = crawled
    page.goto(f"{site}/nianbao/regional_overview?year={YEAR}")
    rows = page.locator("table.rows-and-columns tbody tr")
    shown = {
        rows.nth(i).locator("td.col-province").inner_text(): int(
            rows.nth(i).locator("td.col-due").inner_text()
        )
        for i in range(rows.count())
    }
    expected = {
        row["province"]: row["due"]
        for row in sqlite_utils.Database(db).query(
            "select province, count(*) as due from expected_reports where year = ? group by province",
            [YEAR],
        )
    }
    assert shown == expected and "河南省" in shown
