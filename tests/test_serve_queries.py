"""The dashboard's charts and the search query as served, on databases whose answers are known.

Chart figures are worked out by hand from the reports of `build_known_db`; search rankings come
from how many times each generated report repeats the term (all texts have the same length, so the
most repetitions rank first, and equal texts tie).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette
from test_datasette_queries import (
    CONFIG_DIR,
    build_known_db,
    fetch,
    published_datasette,
    rows,
)

from archive.publish import SUMMARY_INDEXES, prepare_for_publishing
from archive.schema import open_db
from nianbao.serve import ensure_prepared

METADATA = yaml.safe_load((CONFIG_DIR / "metadata.yml").read_text(encoding="utf-8"))
CHARTS = METADATA["plugins"]["datasette-dashboards"]["overview"]["charts"]
SEARCH_LIMIT = 500


def chart_sql(name: str, **filters: str) -> str:
    """The chart's query as the dashboard runs it: a `[[ … ]]` part kept only when its filter is set."""

    def keep_if_set(part: re.Match[str]) -> str:
        params = re.findall(r":(\w+)", part.group(1))
        return part.group(1) if all(param in filters for param in params) else ""

    return re.sub(r"\[\[(.*?)\]\]", keep_if_set, CHARTS[name]["query"], flags=re.S)


def chart(ds: Datasette, name: str, **filters: str) -> list[dict[str, Any]]:
    return rows(ds, "/nianbao.json", sql=chart_sql(name, **filters), **filters)


@pytest.fixture(scope="module")
def known_ds(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    return published_datasette(build_known_db(tmp_path_factory.mktemp("serve") / "nianbao.db"))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 5),
        ({"year": "2021"}, 3),
        ({"region": "甲省甲市"}, 4),
        ({"year": "2021", "region": "甲省甲市"}, 2),
        ({"year": "2019"}, 0),
    ],
)
def test_reports_count_chart_counts_reports_under_each_filter(
    known_ds: Datasette, filters: dict[str, str], expected: int
) -> None:
    assert chart(known_ds, "reports-count", **filters) == [{"n": expected}]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [({}, 41), ({"year": "2021"}, 27), ({"region": "甲省乙县"}, 0), ({"year": "2022"}, 4)],
)
def test_applications_count_chart_sums_new_applications_under_each_filter(
    known_ds: Datasette, filters: dict[str, str], expected: int
) -> None:
    assert chart(known_ds, "applications-count", **filters) == [{"n": expected}]


def test_applications_per_year_chart_sums_each_year(known_ds: Datasette) -> None:
    assert chart(known_ds, "applications-per-year") == [
        {"year": 2020, "applications": 10},
        {"year": 2021, "applications": 27},
        {"year": 2022, "applications": 4},
    ]


def test_outcome_mix_chart_sums_each_outcome(known_ds: Datasette) -> None:
    found = {row["outcome"].split()[-1]: row["n"] for row in chart(known_ds, "outcome-mix")}
    assert found == {
        "granted": 21,
        "partial": 1,
        "refused": 2,
        "unable": 2,
        "processed": 1,
        "other": 0,
    }


def test_outcome_mix_chart_follows_the_year_filter(known_ds: Datasette) -> None:
    found = {
        row["outcome"].split()[-1]: row["n"] for row in chart(known_ds, "outcome-mix", year="2021")
    }
    assert found == {
        "granted": 16,
        "partial": None,
        "refused": None,
        "unable": None,
        "processed": None,
        "other": None,
    }


def test_reviews_lawsuits_chart_gives_both_series_per_year(known_ds: Datasette) -> None:
    found = {
        (row["year"], row["kind"].split()[-1]): row["n"]
        for row in chart(known_ds, "reviews-lawsuits")
    }
    assert found[(2020, "reviews")] == 3
    assert found[(2020, "lawsuits")] == 3
    assert found[(2021, "reviews")] is None


def test_extraction_coverage_chart_counts_each_status_per_year(known_ds: Datasette) -> None:
    found = {
        (row["year"], row["extraction_status"]): row["reports"]
        for row in chart(known_ds, "extraction-coverage", region="甲省乙县")
    }
    assert found == {(2021, "no_tables"): 1}
    found = {
        (row["year"], row["extraction_status"]): row["reports"]
        for row in chart(known_ds, "extraction-coverage")
    }
    assert found == {(2020, "ok"): 1, (2021, "ok"): 2, (2021, "no_tables"): 1, (2022, "ok"): 1}


# More reports than the search shows, repeating the terms 1–4 times: the cut at 500 falls inside the
# group that repeats them once, so which of those make it is decided by year (newest first), then id.
_REPEATS = (1, 2, 3, 4)
_PER_REPEAT = 150
_TEXT_LENGTH = 60


def _search_db(path: Path) -> dict[str, tuple[int, int]]:
    """A published database of generated reports; {report id: (repeats, year)}."""
    db = open_db(path)
    generated: dict[str, tuple[int, int]] = {}
    reports = []
    for repeats in _REPEATS:
        for n in range(_PER_REPEAT):
            report_id = f"{repeats:02x}{n:014x}"
            year = 2019 + n % 5
            body = "行政复议。诉讼。" * repeats
            reports.append(
                {
                    "id": report_id,
                    "url": f"https://example.gov.cn/{report_id}.html",
                    "year": year,
                    "title": "甲市某局年度报告",
                    "doc_type": "annual_report",
                    "extraction_status": "ok",
                    "text": body + "甲" * (_TEXT_LENGTH - len(body)),
                }
            )
            generated[report_id] = (repeats, year)
    db.table("reports").insert_all(reports, pk="id")
    prepare_for_publishing(db)
    db.close()
    return generated


@pytest.fixture(scope="module")
def search_db(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Datasette, dict[str, tuple[int, int]]]:
    path = tmp_path_factory.mktemp("search") / "nianbao.db"
    generated = _search_db(path)
    return published_datasette(path), generated


@pytest.mark.parametrize("term", ["行政复议", "诉讼", "讼"])
def test_search_shows_the_best_ranked_500_of_more_matches_in_order(
    search_db: tuple[Datasette, dict[str, tuple[int, int]]], term: str
) -> None:
    ds, generated = search_db
    expected = sorted(generated, key=lambda rid: (-generated[rid][0], -generated[rid][1], rid))
    found = rows(ds, "/nianbao/search.json", q=term)
    assert [row["report_id"] for row in found] == expected[:SEARCH_LIMIT]
    assert all(f"【{term}】" in row["snippet"] for row in found)


def test_every_default_facet_of_a_summary_table_is_counted_from_an_index(tmp_path: Path) -> None:
    db = sqlite_utils.Database(build_known_db(tmp_path / "nianbao.db"))
    tables = METADATA["databases"]["nianbao"]["tables"]
    for table in SUMMARY_INDEXES:
        for column in tables[table].get("facets", []):
            plan = " ".join(
                row[-1]
                for row in db.execute(
                    f"EXPLAIN QUERY PLAN SELECT [{column}], count(*) FROM [{table}] GROUP BY [{column}]"
                )
            )
            assert "INDEX" in plan, (table, column, plan)


def test_serving_an_older_database_applies_its_missing_migrations(tmp_path: Path) -> None:
    path = build_known_db(tmp_path / "nianbao.db")
    db = sqlite_utils.Database(path)
    # As a database built before the facet indexes were added looks.
    db.execute("DELETE FROM _migrations WHERE name = '0004_facet_indexes'")
    db.execute("DROP INDEX idx_reports_template")
    db.conn.commit()
    db.close()
    assert ensure_prepared(path)
    indexes = {index.name for index in sqlite_utils.Database(path).table("reports").indexes}
    assert "idx_reports_template" in indexes


def test_a_default_facet_asked_for_again_is_counted_once(known_ds: Datasette) -> None:
    response = fetch(
        known_ds, "/nianbao/reports.json", _facet="year", **{"_facet_size": "10"}
    ).json()
    facets = response["facet_results"]
    assert "year_2" not in facets
    counts = {item["value"]: item["count"] for item in facets["year"]["results"]}
    assert counts == {2021: 3, 2020: 1, 2022: 1}


def test_a_facet_not_shown_by_default_is_still_added_from_the_url(known_ds: Datasette) -> None:
    response = fetch(known_ds, "/nianbao/reports.json", _facet="published").json()
    assert "published" in response["facet_results"]


def test_search_marks_a_match_found_only_in_the_title(known_ds: Datasette) -> None:
    found = rows(known_ds, "/nianbao/search.json", q="乙县财政局")
    assert [row["snippet"] for row in found] == [
        "【乙县财政局】（示例）2021年政府信息公开工作年度报告"
    ]
