"""Nightly crawls over the sample portal, over real HTTP: incremental, versioned, and self-explaining."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from conftest import run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

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


def table_urls(nightly: Nightly, family: str) -> list[str]:
    base = nightly.portal.site(family).base_url  # type: ignore[attr-defined]
    return sorted(u for u, t in nightly.portal.truth.items() if t.metrics and u.startswith(base))  # type: ignore[attr-defined]


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


def test_changed_report_becomes_a_new_version_with_its_metric_diff(fresh_nightly: Nightly) -> None:
    fresh_nightly.crawl()
    url = table_urls(fresh_nightly, "trs")[0]
    before = fresh_nightly.query(
        "select value from metrics m join reports r on r.id = m.report_id "
        "where r.url = ? and key = 'review.total'",
        [url],
    )[0]["value"]
    changed_keys = fresh_nightly.portal.change_report(url)  # type: ignore[attr-defined]
    fresh_nightly.crawl()
    assert fresh_nightly.last_run()["reports_changed"] == 1
    report = fresh_nightly.query("select id, version from reports where url = ?", [url])[0]
    assert report["version"] == 2
    versions = fresh_nightly.query(
        "select version, sha256 from report_versions where report_id = ? order by version",
        [report["id"]],
    )
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["sha256"] != versions[1][
        "sha256"
    ]
    changes = fresh_nightly.query(
        "select key, old_value, new_value from metric_changes where report_id = ?", [report["id"]]
    )
    assert {c["key"] for c in changes} == set(changed_keys)
    total = next(c for c in changes if c["key"] == "review.total")
    assert total["old_value"] == before and total["new_value"] == (before or 0) + 1
    # the old version is still in the archive, at the location its version row names
    from archive.warc_read import read_record

    old = fresh_nightly.query(
        "select warc_file, warc_offset, sha256 from report_versions "
        "where report_id = ? and version = 1",
        [report["id"]],
    )[0]
    assert (
        read_record(fresh_nightly.archive, old["warc_file"], old["warc_offset"]).sha256
        == old["sha256"]
    )


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


def test_robots_crawl_delay_spaces_the_requests(fresh_nightly: Nightly) -> None:
    fresh_nightly.portal.site("plain").behaviour.crawl_delay = 2  # type: ignore[attr-defined]
    fresh_nightly.crawl("--only", "sample-plain")
    from datetime import datetime

    times = sorted(
        datetime.fromisoformat(row["fetched_at"])
        for row in fresh_nightly.query(
            "select fetched_at from pages where url not like '%robots.txt'"
        )
    )
    assert len(times) >= 5
    # n requests two seconds apart span at least 2(n-1) s; second-resolution stamps lose up to 1 s
    assert (times[-1] - times[0]).total_seconds() >= 2 * (len(times) - 1) - 1


def test_killed_crawl_resumes_to_the_same_archive_as_an_uninterrupted_one(tmp_path: Path) -> None:
    from conftest import ROOT
    from warcio.archiveiterator import ArchiveIterator

    from portal.kill_resume import after_reports, crawl_content, kill_and_resume, warc_failures
    from portal.server import SamplePortal

    with SamplePortal(synthetic=45, seed=3, include_seeds=False) as portal:
        killed = Nightly(portal, tmp_path / "killed")
        clean = Nightly(portal, tmp_path / "clean")
        args = ["crawl", "--sources", str(killed.sources), "--db", str(killed.db)]
        args += ["--archive", str(killed.archive), "--log-level", "ERROR"]
        args += ["-s", "DOWNLOAD_DELAY=0.05"]
        # kill -9 twice, once early and once further in
        moments = [after_reports(killed.db, 4), after_reports(killed.db, 36)]
        resumed = kill_and_resume(args, moments, cwd=ROOT)
        assert resumed.kills == 2, "the crawl finished before it could be killed"
        assert resumed.resume.returncode == 0, resumed.resume.stderr[-8000:]
        clean.crawl()
        truth = {u for u, t in portal.truth.items() if t.metrics}

    assert crawl_content(killed.db) == crawl_content(clean.db)
    assert truth <= {row["url"] for row in killed.query("select url from reports")}
    assert {row["version"] for row in killed.query("select version from reports")} == {1}
    assert warc_failures(killed.archive) == {}
    for path in sorted(killed.archive.glob("*.warc.gz")):
        with path.open("rb") as stream:
            assert sum(1 for _ in ArchiveIterator(stream)) >= 1


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
