"""A crawl that changes no report leaves the published tables alone; one that changes a report
refreshes them — over real HTTP on the sample portal, truth from the generator."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

SENTINEL = "sentinel-row-left-by-the-test"


@dataclass
class Nights:
    sentinel_after: list[bool]  # whether a row the test put in report_summary survived each run
    reviews_after: list[int]  # sum of report_summary.reviews_total after each run


def _published(db_path: Path) -> tuple[bool, int]:
    """Whether the sentinel is still in report_summary, and the summed reviews; then (re)plant it:
    a refresh rebuilds the table from the reports, which drops it."""
    db = sqlite3.connect(db_path)
    try:
        query = "SELECT count(*) FROM report_summary WHERE report_id = ?"
        present = db.execute(query, [SENTINEL]).fetchone()[0] > 0
        reviews = db.execute(
            "SELECT coalesce(sum(reviews_total), 0) FROM report_summary WHERE report_id != ?",
            [SENTINEL],
        ).fetchone()[0]
        if not present:
            with db:
                db.execute("INSERT INTO report_summary (report_id) VALUES (?)", [SENTINEL])
        return present, int(reviews)
    finally:
        db.close()


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("quiet")
    with SamplePortal(synthetic=6, seed=12, include_seeds=False) as portal:
        sources, db = work / "sources.yaml", work / "nianbao.db"
        portal.write_sources(sources)
        args = ["crawl", "--sources", str(sources), "--db", str(db), "--archive"]
        args += [str(work / "archive"), "--log-level", "ERROR"]
        sentinels, reviews = [], []
        for night in range(3):
            if night == 2:
                changed = next(u for u, t in sorted(portal.truth.items()) if t.metrics)
                portal.change_report(changed)
            run_nianbao(*args, check=False)
            present, total = _published(db)
            sentinels.append(present)
            reviews.append(total)
        yield Nights(sentinels, reviews)


def test_a_night_without_changes_does_not_rebuild_the_published_tables(nights: Nights) -> None:
    assert nights.sentinel_after[0] is False  # planted after the first night
    assert nights.sentinel_after[1] is True


def test_a_night_with_a_changed_report_refreshes_the_summaries(nights: Nights) -> None:
    assert nights.sentinel_after[2] is False
    assert nights.reviews_after[2] > nights.reviews_after[1]
