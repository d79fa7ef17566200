"""A one-line progress display for a crawl run from a terminal.

Scrapy's INFO log (a line per minute and a stats dump of a hundred keys at the end) is for
debugging; a person at a terminal wants to see that the crawl is moving. While NIANBAO_PROGRESS is
on (`nianbao crawl` turns it on when standard error is a terminal and `-v` was not given) this
extension rewrites one line on standard error every NIANBAO_PROGRESS_INTERVAL seconds:

    pages 1,204 · reports 311 · failures 2 · 14.8 pages/s

and ends it with a newline when the spider closes, before the run table is printed. It reads only
the crawl's stats, so it changes nothing that is crawled or stored.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

# Stats whose sum is a count shown on the line (prefixes of the keys the middlewares and the
# store pipeline increment; per-source keys are left out so nothing counts twice).
_REPORT_PREFIX = "nianbao/change/"
_FAILURE_PREFIXES = ("nianbao/failure/", "nianbao/fetch_failed/")


def progress_counts(stats: dict[str, Any]) -> tuple[int, int, int]:
    """(pages fetched, report documents stored, failures) from a crawl's stats."""
    pages = int(stats.get("response_received_count", 0))
    reports = sum(int(v) for k, v in stats.items() if k.startswith(_REPORT_PREFIX))
    failures = sum(int(v) for k, v in stats.items() if k.startswith(_FAILURE_PREFIXES))
    return pages, reports, failures


def progress_line(pages: int, reports: int, failures: int, pages_per_second: float) -> str:
    """The line as shown: counts with thousands separators, the rate over the last interval."""
    return (
        f"pages {pages:,} · reports {reports:,} · failures {failures:,} · "
        f"{pages_per_second:.1f} pages/s"
    )


class _Display:
    """The one line of a process, summed over its crawlers: a run crawls each family with a
    crawler of its own, and two lines rewriting each other would show neither."""

    def __init__(self, interval: float, stream: TextIO) -> None:
        self.interval = interval
        self.stream = stream
        self.crawlers: list[Crawler] = []
        self.open = 0
        self.loop: task.LoopingCall | None = None
        self.last_pages = 0
        self.last_time = time.monotonic()
        self.width = 0

    def opened(self) -> None:
        self.open += 1
        if self.loop is None:
            self.loop = task.LoopingCall(self.show)
            self.loop.start(self.interval, now=False)

    def closed(self) -> None:
        self.open -= 1
        if self.open > 0 or self.loop is None:
            return
        if self.loop.running:
            self.loop.stop()
        self.loop = None
        self.show()
        self.stream.write("\n")
        self.stream.flush()

    def show(self) -> None:
        pages = reports = failures = 0
        for crawler in self.crawlers:
            if crawler.stats is not None:
                counts = progress_counts(crawler.stats.get_stats())
                pages, reports, failures = (
                    pages + counts[0],
                    reports + counts[1],
                    failures + counts[2],
                )
        now = time.monotonic()
        rate = (pages - self.last_pages) / max(now - self.last_time, 1e-9)
        self.last_pages, self.last_time = pages, now
        line = progress_line(pages, reports, failures, rate)
        # Pad over a longer previous line: \r only moves the cursor back.
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)


_display: _Display | None = None


def _process_display(interval: float) -> _Display:
    """The process's display: a process runs one crawl (Twisted's reactor starts once)."""
    global _display
    if _display is None:
        _display = _Display(interval, sys.stderr)
    return _display


class ProgressLine:
    """Scrapy extension: the progress line on a terminal (see the module docstring)."""

    def __init__(self, crawler: Crawler, display: _Display) -> None:
        self.display = display
        display.crawlers.append(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not crawler.settings.getbool("NIANBAO_PROGRESS"):
            # No message: Scrapy logs a NotConfigured message as a warning, and the line being
            # off (no terminal, cron) is the normal case, which must print nothing.
            raise NotConfigured
        display = _process_display(crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 1.0))
        extension = cls(crawler, display)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.display.opened()

    def spider_closed(self, spider: Spider) -> None:
        self.display.closed()
