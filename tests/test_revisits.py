"""Adaptive revisits over the sample portal, over real HTTP, night after simulated night.

Each night is the real `nianbao crawl` with the crawl clock moved ahead (NIANBAO_CLOCK_OFFSET_SECONDS)
and a short ladder, `0:1,2:4`: a report is revalidated every night while unchanged under two days,
then every fourth day. The test changes an old report (on the four-day step) and a new one (changed
the night before, so back on every night) and checks on which night each change is seen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nightly_portal import Nightly

pytestmark = pytest.mark.slow

LADDER = "0:1,2:4"  # the test's own schedule: every night under 2 days unchanged, then every 4th
EVERY_OLD = 4


class Nights(Nightly):
    """One archive crawled on simulated nights at 02:30 UTC, night 0 the first."""

    def __init__(self, portal: object, work: Path) -> None:
        super().__init__(portal, work)
        now = datetime.now(UTC)
        first = (now + timedelta(days=1)).replace(hour=2, minute=30, second=0, microsecond=0)
        self.base_offset = (first - now).total_seconds()
        self.night0 = first.date()

    def crawl_night(self, night: int) -> None:
        offset = self.base_offset + night * 86400
        self.crawl(
            "-s",
            f"NIANBAO_REVISIT_SCHEDULE={LADDER}",
            "-s",
            f"NIANBAO_CLOCK_OFFSET_SECONDS={offset}",
            "-s",
            "NIANBAO_FULL_REVALIDATION_DAYS=0",
        )

    def night_of(self, stamp: str) -> int:
        return (datetime.fromisoformat(stamp).astimezone(UTC).date() - self.night0).days

    def requested(self, url: str) -> list[int]:
        """The nights on which `url` was asked for and answered."""
        rows = self.query("select fetched_at from pages where url = ? and status > 0", [url])
        return sorted(self.night_of(row["fetched_at"]) for row in rows)

    def seen_changed(self, url: str) -> list[int]:
        """The nights on which a new version of `url` was first seen."""
        rows = self.query(
            "select v.first_seen from report_versions v join reports r on r.id = v.report_id"
            " where r.url = ? and v.version > 1",
            [url],
        )
        return sorted(self.night_of(row["first_seen"]) for row in rows)


def test_changes_are_seen_within_their_schedule_and_old_reports_are_not_asked_nightly(
    tmp_path: Path,
) -> None:
    from portal.server import SamplePortal

    with SamplePortal(synthetic=6, seed=5, include_seeds=False) as portal:
        nights = Nights(portal, tmp_path)
        table_urls = sorted(u for u, t in portal.truth.items() if t.metrics)
        old, new = table_urls[0], table_urls[-1]
        nights.crawl_night(0)
        portal.change_report(new)
        nights.crawl_night(1)  # `new` changed: seen at once (every report is under two days old)
        nights.crawl_night(
            2
        )  # everything checked: unchanged for two days now, on the four-day step
        portal.change_report(old)
        portal.change_report(new)  # changed the night before: still revisited every night
        for night in range(3, 3 + EVERY_OLD):
            nights.crawl_night(night)

        known = [row["url"] for row in nights.query("select url from revisits")]
        schedule = {
            row["url"]: row for row in nights.query("select url, interval_days from revisits")
        }
        lists_each_night = nights.query(
            "select count(distinct substr(fetched_at, 1, 10)) n from pages where role = 'list'"
        )[0]["n"]

    assert nights.seen_changed(new) == [1, 3]
    seen_old = nights.seen_changed(old)
    assert len(seen_old) == 1 and 3 <= seen_old[0] <= 2 + EVERY_OLD
    # every known document, changed or not, was asked for on each of the first three nights
    assert all({0, 1, 2} <= set(nights.requested(url)) for url in known)
    # on the four-day step each unchanged document was asked exactly once in nights 3–6
    unchanged = [url for url in known if url not in (old, new)]
    assert len(unchanged) >= 6
    for url in unchanged:
        later = [n for n in nights.requested(url) if n >= 3]
        assert len(later) == 1, (url, later)
        assert schedule[url]["interval_days"] == EVERY_OLD
    # the old report, once seen changed, is back on every night while it has stayed unchanged
    # under two days (the ladder's first step): the two nights after the one it was seen on. Its
    # URL's phase (the port is part of it) decides which of nights 3–6 that is.
    daily = range(seen_old[0], min(seen_old[0] + 3, 3 + EVERY_OLD))
    assert set(daily) <= set(nights.requested(old))
    # list pages are read every night
    assert lists_each_night == 3 + EVERY_OLD
