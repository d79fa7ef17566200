"""The crawl's clock: the time now, or a simulated time ahead of it.

Setting read (by its callers): NIANBAO_CLOCK_OFFSET_SECONDS, how far ahead of the real time a
crawl believes it runs (default 0). Tests and the revisit bench use it to play nights days or
years apart in a few seconds; every time a crawl stamps (the run's start and end, each fetch's
`fetched_at`, failures) and its revisit decisions read this clock, so the archive records the
simulated night consistently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

CLOCK_OFFSET_SETTING = "NIANBAO_CLOCK_OFFSET_SECONDS"


def clock_now(offset_seconds: float = 0.0) -> datetime:
    """The current UTC time, moved `offset_seconds` ahead."""
    return datetime.now(UTC) + timedelta(seconds=offset_seconds)
