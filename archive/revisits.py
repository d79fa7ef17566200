"""When each known report is revisited: a schedule that grows with how long it has stayed unchanged.

A nightly crawl reads every list page, but revalidates a known report only when it is due: a report
new or changed recently every night, then weekly, then monthly (the *ladder*, a setting). A weekly
*full pass* adds, per portal, the reports downloaded in full longest ago, at most a cap of them, sent
without validators: the guard against servers that answer 304 when the content changed.

The schedule is derived from the archive: the `revisits` table holds, per report URL, when it was
first seen, when it last changed (its current version's first sighting, or its withdrawal), when it
was last checked (any answer: 200, 304, 3xx, 4xx) and last downloaded in full (a 200), all read
from `reports`, `report_versions` and `pages`, which `nianbao rebuild` restores from the WARC files;
and the interval and next due day those facts give under the ladder. `refresh_revisits` rewrites it
after every crawl and rebuild. The crawl's decision (`is_due`) is made again from the facts with
the run's own ladder, so a changed setting applies at once.

Days are UTC calendar days. A report on an interval of N > 1 days is due on the nights whose day
number, plus a phase drawn from its URL's hash, is a multiple of N: reports first seen together
(a portal's first crawl) spread evenly over the interval instead of all coming due on one night,
and no gap between two checks exceeds N days. A report not checked by its due night (the portal
was down) stays due every night until it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlite_utils

# (unchanged for at least this many days, revisit every this many days), by the first column.
Ladder = tuple[tuple[float, float], ...]
DEFAULT_SCHEDULE = "0:1,7:7,21:30"
_EPOCH = date(1970, 1, 1)


def parse_ladder(text: str) -> Ladder:
    """A ladder from `"0:1,7:7,21:30"`: daily while unchanged under 7 days, weekly from 7, monthly
    from 21. The first step must start at 0 and every interval be at least one day."""
    steps: list[tuple[float, float]] = []
    for part in text.split(","):
        unchanged, _, every = part.strip().partition(":")
        try:
            steps.append((float(unchanged), float(every)))
        except ValueError:
            raise ValueError(f"revisit schedule {text!r}: expected 'DAYS:EVERY,…'") from None
    steps.sort()
    if not steps or steps[0][0] != 0 or any(every < 1 for _, every in steps):
        raise ValueError(
            f"revisit schedule {text!r}: the first step starts at 0 and intervals are ≥ 1 day"
        )
    return tuple(steps)


DEFAULT_LADDER = parse_ladder(DEFAULT_SCHEDULE)


def interval_days(unchanged_days: float, ladder: Ladder = DEFAULT_LADDER) -> int:
    """Days between revisits of a report unchanged for `unchanged_days` (whole days, at least 1)."""
    every = ladder[0][1]
    for threshold, step in ladder:
        if unchanged_days >= threshold:
            every = step
    return max(1, round(every))


def _day(when: datetime) -> int:
    return (when.astimezone(UTC).date() - _EPOCH).days


def _phase(url: str, every: int) -> int:
    return int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") % every


def next_due_day(url: str, last_checked: datetime, every: int) -> int:
    """The first day after `last_checked`, at most `every` days later, on the URL's phase."""
    checked = _day(last_checked)
    return checked + every - (checked + _phase(url, every)) % every


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RevisitFacts:
    """What the archive says about one report URL's history, as far as its schedule goes."""

    url: str
    last_changed: datetime | None
    last_checked: datetime | None

    def interval(self, ladder: Ladder = DEFAULT_LADDER) -> int:
        if self.last_changed is None or self.last_checked is None:
            return 1
        unchanged = (self.last_checked - self.last_changed).total_seconds() / 86400
        return interval_days(unchanged, ladder)

    def next_due(self, ladder: Ladder = DEFAULT_LADDER) -> date | None:
        """The day the report is next due; None: every run (no history yet, or a daily report)."""
        every = self.interval(ladder)
        if every <= 1 or self.last_checked is None:
            return None
        return _EPOCH + timedelta(days=next_due_day(self.url, self.last_checked, every))

    def is_due(self, now: datetime, ladder: Ladder = DEFAULT_LADDER) -> bool:
        """Whether a crawl at `now` revalidates the report. Daily reports are due on every run
        (a second run on one night checks them again, as before schedules existed)."""
        due = self.next_due(ladder)
        return due is None or now.astimezone(UTC).date() >= due


_FACTS_SQL = """
SELECT r.url, r.source_id, coalesce(p.role, 'document') AS role, r.first_seen,
       max(coalesce(v.first_seen, r.first_seen), coalesce(r.withdrawn_at, '')) AS last_changed,
       (SELECT max(q.fetched_at) FROM pages q
         WHERE q.url = r.url AND q.status BETWEEN 200 AND 499) AS last_checked,
       (SELECT max(q.fetched_at) FROM pages q
         WHERE q.url = r.url AND q.status = 200) AS last_full
FROM reports r
LEFT JOIN report_versions v ON v.report_id = r.id AND v.version = r.version
LEFT JOIN pages p ON p.warc_file = r.warc_file AND p.warc_offset = r.warc_offset
"""


def refresh_revisits(db: sqlite_utils.Database, ladder: Ladder = DEFAULT_LADDER) -> int:
    """Rewrite the `revisits` table from the reports and pages the archive gave; returns its rows."""
    rows = []
    for row in db.query(_FACTS_SQL):
        facts = RevisitFacts(
            row["url"], parse_time(row["last_changed"]), parse_time(row["last_checked"])
        )
        due = facts.next_due(ladder)
        rows.append(
            {
                **row,
                "interval_days": facts.interval(ladder),
                "next_due": due.isoformat() if due else None,
            }
        )
    with db.atomic():
        db.execute("DELETE FROM revisits")
        db.table("revisits").insert_all(rows, pk="url", replace=True)
    return len(rows)


def full_pass_selection(
    last_full_by_url: Iterable[tuple[str, str | None]], cap: int
) -> Sequence[str]:
    """A portal's reports for the full pass: those downloaded in full longest ago (never first),
    at most `cap` of them (all when `cap` is 0 or less)."""
    ordered = sorted(last_full_by_url, key=lambda pair: (pair[1] or "", pair[0]))
    urls = [url for url, _ in ordered]
    return urls if cap <= 0 else urls[:cap]
