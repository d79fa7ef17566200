"""Nightly crawls of a portal of each test's own, over real HTTP: a changed report, robots.txt's
crawl delay. Apart from tests/test_nightly.py (whose tests share a first night) so that the
suite's workers share the nightly tests' time. A killed crawl resumed is tests/test_faults_kill.py."""

from __future__ import annotations

import pytest
from nightly_portal import Nightly, table_urls

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


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
