"""Every canned query and every dashboard chart of datasette/metadata.yml answers on the slim
download (`nianbao export`'s nianbao-data.db) as on the full database it came from: the slim file's
views stand in for the tables it stores coded. The search query is the exception: the slim file has
no texts, and says so (tests/test_export.py)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_datasette_queries import (
    CONFIG_DIR,
    R2,
    build_known_db,
    published_datasette,
    rows,
)

from archive.export.slim import write_slim_db

METADATA = yaml.safe_load((CONFIG_DIR / "metadata.yml").read_text(encoding="utf-8"))
PARAMS = {
    "q": "诉讼",
    "agency": "甲市",
    "year": "2021",
    "key": "apply.new.total",
    "report_id": R2,
    "from_version": "1",
    "to_version": "3",
    "province": "",
    "department_type": "教育",
}
# Columns the slim file leaves out (NULL there): the evidence of a passing check.
LEFT_OUT = {"evidence"}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    full = build_known_db(tmp_path_factory.mktemp("full") / "nianbao.db")
    # Named as the full database, so Datasette serves it at the same paths.
    slim = tmp_path_factory.mktemp("slim") / "nianbao.db"
    write_slim_db(full, slim)
    return full, slim


def _comparable(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in LEFT_OUT} for row in found]


def test_every_canned_query_gives_the_full_databases_rows(both: tuple[Path, Path]) -> None:
    full, slim = (published_datasette(path) for path in both)
    queries = METADATA["databases"]["nianbao"]["queries"]
    for name, query in queries.items():
        if name == "search":
            continue
        params = {p: PARAMS[p] for p in query["params"]}
        expected = rows(full, f"/nianbao/{name}.json", **params)
        assert _comparable(rows(slim, f"/nianbao/{name}.json", **params)) == _comparable(
            expected
        ), name


def test_every_dashboard_chart_query_gives_the_full_databases_rows(
    both: tuple[Path, Path],
) -> None:
    dashboards = METADATA["plugins"]["datasette-dashboards"]
    charts = [c for board in dashboards.values() for c in board.get("charts", {}).values()]
    assert charts
    connections = [sqlite3.connect(path) for path in both]
    for chart in charts:
        # Unfiltered, as the dashboard first shows it: its optional [[ … ]] filters left out.
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"], flags=re.S)
        full, slim = (conn.execute(sql).fetchall() for conn in connections)
        assert slim == full, chart["title"]
