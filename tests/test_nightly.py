"""Nightly crawls over the sample portal, over real HTTP: incremental, versioned, and self-explaining."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from conftest import run_nianbao
from nightly_portal import REPORTS, Nightly, table_urls

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def first_night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nightly]:
    """One portal for the module, crawled once: the first night every test below starts from."""
    from portal.server import SamplePortal

    with SamplePortal(synthetic=REPORTS, seed=11, include_seeds=False) as portal:
        night = Nightly(portal, tmp_path_factory.mktemp("first-night"))
        night.first_output = night.crawl()
        yield night


@pytest.fixture
def nightly(first_night: Nightly, tmp_path: Path) -> Iterator[Nightly]:
    """The first night's database and archive, copied, on the portal they were crawled from; its
    sites are put back to normal afterwards (modes, withdrawals, crawl delays)."""
    night = Nightly(first_night.portal, tmp_path)
    copy = sqlite3.connect(night.db)
    with sqlite3.connect(first_night.db) as original:
        original.backup(copy)
    copy.close()
    shutil.copytree(first_night.archive, night.archive)
    night.first_output = first_night.first_output
    try:
        yield night
    finally:
        for site in night.portal.sites:  # type: ignore[attr-defined]
            site.behaviour.reset()


def test_second_run_revalidates_instead_of_downloading(nightly: Nightly) -> None:
    first = nightly.last_run()
    nightly.crawl()
    second = nightly.last_run()
    assert first["reports_new"] >= REPORTS and first["full_downloads"] >= REPORTS
    assert second["full_downloads"] == 0
    assert second["not_modified"] == first["full_downloads"]
    assert second["reports_new"] == second["reports_changed"] == 0
    assert second["reports_unchanged"] == first["reports_new"]
    # nothing was extracted again: every document visit of the second run is a 304 page row
    outcomes = nightly.query(
        "select outcome, count(*) n from pages where run_id = ? and role in ('document', 'attachment')"
        " group by outcome",
        [second["id"]],
    )
    assert {row["outcome"] for row in outcomes} == {"unchanged"}


@pytest.mark.parametrize("kind", ["404", "redirect", "deleted"])
def test_withdrawn_report_is_marked_and_kept(nightly: Nightly, kind: str) -> None:
    url = table_urls(nightly, "hanweb")[0]
    metrics_before = nightly.query(
        "select count(*) n from metrics m join reports r on r.id = m.report_id where r.url = ?",
        [url],
    )[0]["n"]
    nightly.portal.withdraw_report(url, kind)  # type: ignore[attr-defined]
    nightly.crawl()
    report = nightly.query("select * from reports where url = ?", [url])[0]
    assert report["withdrawn_at"] and report["withdrawn_reason"]
    assert nightly.last_run()["reports_withdrawn"] == 1
    metrics_after = nightly.query(
        "select count(*) n from metrics where report_id = ?", [report["id"]]
    )[0]["n"]
    assert metrics_after == metrics_before > 0


@pytest.mark.parametrize(
    "mode, status",
    [
        ("blocked-ruishu", "blocked"),
        ("blocked-jsl", "blocked"),
        ("broken", "broken"),
        ("robots", "robots"),
        ("empty", "empty"),
    ],
)
def test_each_source_status_comes_from_its_cause_and_fails_the_run(
    nightly: Nightly, mode: str, status: str
) -> None:
    assert set(nightly.statuses().values()) == {"ok"}
    nightly.portal.set_mode("plain", mode)  # type: ignore[attr-defined]
    result = nightly.crawl("--full", check=False)
    assert nightly.statuses()["sample-plain"] == status
    assert nightly.statuses()["sample-trs"] == "ok"
    assert result.returncode == 1
    assert f"sample-plain ({status}" in result.stderr
    if status == "blocked":
        # challenge pages are archived but never become reports
        reports = nightly.query(
            "select count(*) n from reports where title like '%jsl%' or text like '%$_ts%'"
        )
        assert reports[0]["n"] == 0
        failed = nightly.query(
            "select reason from pages where run_id = ? and outcome = 'failed'",
            [nightly.last_run()["id"]],
        )
        assert failed and all(row["reason"].startswith("blocked") for row in failed)


def test_a_source_failing_two_nights_running_fails_only_the_first(nightly: Nightly) -> None:
    nightly.portal.set_mode("trs", "broken")  # type: ignore[attr-defined]
    assert nightly.crawl(check=False).returncode == 1
    assert nightly.crawl(check=False).returncode == 0
    assert nightly.statuses()["sample-trs"] == "broken"


def test_robots_disallowed_paths_are_never_fetched(nightly: Nightly) -> None:
    fetched = [row["url"] for row in nightly.query("select url from pages")]
    assert not [u for u in fetched if "/admin/" in u]
    assert [u for u in fetched if u.endswith("/robots.txt")]


def test_run_summary_is_printed_and_stored(nightly: Nightly) -> None:
    result = nightly.first_output
    assert result is not None
    assert "sample-trs" in result.stdout and "status" in result.stdout
    run = nightly.last_run()
    assert run["finished_at"] >= run["started_at"] and run["settings_digest"]
    assert json.loads(run["failures_by_reason"]) == {}


def test_rebuild_restores_versions_withdrawals_and_runs(
    fresh_nightly: Nightly, tmp_path: Path
) -> None:
    fresh_nightly.crawl()
    urls = table_urls(fresh_nightly, "plain")
    fresh_nightly.portal.change_report(urls[0])  # type: ignore[attr-defined]
    fresh_nightly.portal.withdraw_report(urls[1], "404")  # type: ignore[attr-defined]
    fresh_nightly.crawl()
    rebuilt = tmp_path / "rebuilt.db"
    run_nianbao(
        "rebuild",
        "--archive",
        str(fresh_nightly.archive),
        "--db",
        str(rebuilt),
        "--sources",
        str(fresh_nightly.sources),
        "--no-progress",
    )
    for table in (
        "reports",
        "report_versions",
        "metric_changes",
        "crawl_runs",
        "source_runs",
        "metrics",
        "revisits",
    ):
        crawled = sqlite_utils.Database(fresh_nightly.db)
        columns = ", ".join(f"[{c}]" for c in crawled[table].columns_dict)
        a = list(crawled.query(f"select {columns} from [{table}] order by {columns}"))
        b = list(
            sqlite_utils.Database(rebuilt).query(
                f"select {columns} from [{table}] order by {columns}"
            )
        )
        assert a == b, f"{table} differs after rebuild"


def test_periodic_full_revalidation_downloads_everything_again(nightly: Nightly) -> None:
    first = nightly.last_run()
    nightly.crawl("-s", "NIANBAO_FULL_REVALIDATION_DAYS=0.000001")
    second = nightly.last_run()
    assert second["full_revalidation"] == 1
    assert second["full_downloads"] == first["full_downloads"] and second["not_modified"] == 0
    assert second["reports_unchanged"] == first["reports_new"]  # same bytes: nothing re-extracted


def test_the_periodic_full_pass_is_capped_per_portal(nightly: Nightly) -> None:
    """Each portal downloads in full only its NIANBAO_FULL_PASS_CAP reports downloaded in full
    longest ago; its other known reports get conditional requests as on any night."""
    first = nightly.last_run()
    nightly.crawl("-s", "NIANBAO_FULL_REVALIDATION_DAYS=0.000001", "-s", "NIANBAO_FULL_PASS_CAP=1")
    second = nightly.last_run()
    portals = len(nightly.portal.sites)  # type: ignore[attr-defined]
    assert second["full_revalidation"] == 1
    assert second["full_downloads"] == portals
    assert second["not_modified"] == first["full_downloads"] - portals
    full = nightly.query(
        "select source_id, count(*) n from pages where run_id = ? and status = 200"
        " and role in ('document', 'attachment') group by source_id",
        [second["id"]],
    )
    assert {row["n"] for row in full} == {1} and len(full) == portals


def test_a_304_attachment_is_answered_without_reading_its_stored_copy(
    nightly: Nightly, tmp_path: Path
) -> None:
    """An attachment's stored copy is never followed nor extracted again, so a 304 for it gets
    its stand-in with the archive out of reach; a detail page's still needs its stored copy."""
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.revalidation import NOT_MODIFIED_HEADER, RevalidationMiddleware
    from crawler.spiders.base import META_ROLE

    crawler = get_crawler(
        settings_dict={"NIANBAO_DB": str(nightly.db), "NIANBAO_ARCHIVE_DIR": str(tmp_path / "gone")}
    )
    middleware = RevalidationMiddleware.from_crawler(crawler)
    known = {
        row["role"]: row["url"]
        for row in nightly.query(
            "select role, url from pages where role in ('attachment', 'document')"
            " and outcome = 'extracted'"
        )
    }

    def answer(role: str) -> Response:
        request = Request(known[role], meta={META_ROLE: role})
        return middleware.process_response(
            request, Response(known[role], status=304, request=request)
        )

    attachment = answer("attachment")
    assert attachment.status == 200 and attachment.headers.get(NOT_MODIFIED_HEADER) == b"1"
    assert attachment.body == b""
    assert answer("document").status == 304  # its stored copy is unreadable: left as the 304
