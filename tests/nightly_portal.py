"""A sample portal crawled night after night with the real `nianbao crawl`: what the nightly tests
(tests/test_nightly.py, tests/test_nightly_fresh.py) share. `fresh_nightly` is a fixture, offered
to every test module by conftest."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from conftest import run_nianbao

REPORTS = 9  # three per site family


class Nightly:
    """A sample portal and the paths of an archive that is crawled night after night."""

    def __init__(self, portal: object, work: Path) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.portal = portal
        self.sources = work / "sources.yaml"
        self.db = work / "nianbao.db"
        self.archive = work / "archive"
        portal.write_sources(self.sources)  # type: ignore[attr-defined]
        self.first_output: subprocess.CompletedProcess[str] | None = None

    def crawl(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_nianbao(
            "crawl",
            "--sources",
            str(self.sources),
            "--db",
            str(self.db),
            "--archive",
            str(self.archive),
            "--log-level",
            "WARNING",
            "--table",
            *extra,
            check=check,
        )

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        return list(sqlite_utils.Database(self.db).query(sql, params or []))

    def last_run(self) -> dict:
        return self.query("select * from crawl_runs order by id desc limit 1")[0]

    def statuses(self) -> dict[str, str]:
        run = self.last_run()["id"]
        rows = self.query("select source_id, status from source_runs where run_id = ?", [run])
        return {row["source_id"]: row["status"] for row in rows}


@pytest.fixture
def fresh_nightly(tmp_path: Path) -> Iterator[Nightly]:
    """A portal of its own, never crawled: for tests that change its reports."""
    from portal.server import SamplePortal

    with SamplePortal(synthetic=REPORTS, seed=11, include_seeds=False) as portal:
        yield Nightly(portal, tmp_path)


def table_urls(nightly: Nightly, family: str) -> list[str]:
    base = nightly.portal.site(family).base_url  # type: ignore[attr-defined]
    return sorted(u for u, t in nightly.portal.truth.items() if t.metrics and u.startswith(base))  # type: ignore[attr-defined]
