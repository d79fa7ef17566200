"""The revisit schedule's arithmetic (`archive.revisits`): the ladder, the spread, the promise."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from archive.revisits import RevisitFacts, full_pass_selection, interval_days, parse_ladder

NIGHT = datetime(2027, 3, 1, 2, 30, tzinfo=UTC)


def facts(url: str, unchanged_days: float, checked: datetime = NIGHT) -> RevisitFacts:
    return RevisitFacts(url, checked - timedelta(days=unchanged_days), checked)


def test_the_ladder_grows_with_how_long_a_report_stayed_unchanged() -> None:
    ladder = parse_ladder("0:1,7:7,21:30")
    assert [interval_days(d, ladder) for d in (0, 6.9, 7, 20.9, 21, 2000)] == [1, 1, 7, 7, 30, 30]


@pytest.mark.parametrize("text", ["", "1:1", "0:0.5", "0:1,x:7", "0-1"])
def test_a_malformed_ladder_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ladder(text)


def test_a_new_or_changed_report_is_due_on_every_run() -> None:
    report = facts("http://a.gov.cn/1.html", unchanged_days=2)
    assert report.next_due() is None
    assert report.is_due(NIGHT + timedelta(minutes=5))  # a second run the same night
    assert RevisitFacts("http://a.gov.cn/2.html", None, None).is_due(NIGHT)


def test_no_gap_between_checks_exceeds_the_interval_and_each_night_is_due_once() -> None:
    urls = [f"http://a.gov.cn/{n}.html" for n in range(300)]
    for url in urls:
        nights = [n for n in range(1, 31) if facts(url, 400).is_due(NIGHT + timedelta(days=n))]
        assert nights and nights[0] <= 30  # due within the month…
        # …and once checked on its night, next due exactly one interval later
        first = NIGHT + timedelta(days=nights[0])
        again = facts(url, 400 + nights[0], checked=first)
        assert (again.next_due() - first.date()).days == 30


def test_reports_first_seen_together_spread_over_the_interval() -> None:
    """10,000 reports checked on one night, all on the monthly step: no night holds more than
    a fair share (1/30 of them, give or take the hash's scatter)."""
    due_night = Counter(
        (facts(f"http://a.gov.cn/t{n}.html", 60).next_due() - NIGHT.date()).days
        for n in range(10_000)
    )
    assert set(due_night) == set(range(1, 31))
    assert max(due_night.values()) < 10_000 / 30 * 1.25


def test_a_report_not_checked_on_its_night_stays_due_until_it_is() -> None:
    report = facts("http://a.gov.cn/late.html", 100)
    due = report.next_due()
    assert due is not None
    for late in range(0, 5):
        night = datetime(due.year, due.month, due.day, 2, 30, tzinfo=UTC) + timedelta(days=late)
        assert report.is_due(night)


def test_the_full_pass_takes_the_longest_unverified_first_up_to_the_cap() -> None:
    pairs = [("c", "2027-01-03"), ("a", None), ("b", "2027-01-01"), ("d", "2027-02-01")]
    assert list(full_pass_selection(pairs, 2)) == ["a", "b"]
    assert list(full_pass_selection(pairs, 0)) == ["a", "b", "c", "d"]
