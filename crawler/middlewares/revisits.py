"""Known reports are requested only on the nights they are due (`archive.revisits`).

A spider middleware: it sees the spiders' start requests (every known report, to revalidate) and
the report links found on list pages, and drops the requests for known reports that are not due
tonight, so a list page read every night does not bring back every report it links. New URLs and
everything that is not a report document pass untouched. On a full-pass night it also marks, per
portal, the reports downloaded in full longest ago (at most NIANBAO_FULL_PASS_CAP of them) to go
without validators (`crawler.middlewares.revalidation` reads the mark), and lets them through.

Settings read: NIANBAO_ADAPTIVE_REVISITS (off: every known report every night, as before),
NIANBAO_REVISIT_SCHEDULE (the ladder), NIANBAO_FULL_PASS and NIANBAO_FULL_PASS_CAP,
NIANBAO_FULL_REVALIDATION (a `--full` run revalidates everything: the middleware is off),
NIANBAO_CLOCK_OFFSET_SECONDS. Stats: `nianbao/revisits/not_due` (distinct known reports left
for a later night), per source `nianbao/source/<id>/not_due`, and `nianbao/revisits/full_pass`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.clock import CLOCK_OFFSET_SETTING, clock_now
from archive.revisits import DEFAULT_SCHEDULE, full_pass_selection, parse_ladder
from crawler.spiders.base import META_ROLE, META_SOURCE
from crawler.state import known_documents
from pipeline.extraction.document import DOCUMENT_ROLES

logger = logging.getLogger(__name__)

# Set on a known report's request that the full pass downloads without validators.
META_FULL_PASS = "nianbao_full_pass"


class RevisitScheduleMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_ADAPTIVE_REVISITS", True) or settings.getbool(
            "NIANBAO_FULL_REVALIDATION"
        ):
            # Every known report is revalidated this run: chosen, not a fault, so no message
            # (Scrapy would log it as a warning).
            raise NotConfigured
        self.crawler = crawler
        self.ladder = parse_ladder(settings.get("NIANBAO_REVISIT_SCHEDULE") or DEFAULT_SCHEDULE)
        self.now = clock_now(settings.getfloat(CLOCK_OFFSET_SETTING))
        self.full_pass = settings.getbool("NIANBAO_FULL_PASS")
        self.full_pass_cap = settings.getint("NIANBAO_FULL_PASS_CAP")
        self._in_full: set[str] | None = None
        self._not_due: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisitScheduleMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for request_or_item in start:
            if self._passes(request_or_item):
                yield request_or_item

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterable[Any]:
        return (output for output in result if self._passes(output))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for output in result:
            if self._passes(output):
                yield output

    def _full_pass_urls(self) -> set[str]:
        if self._in_full is None:
            by_source: dict[str | None, list[tuple[str, str | None]]] = defaultdict(list)
            for document in known_documents(self.crawler):
                by_source[document.source_id].append((document.url, document.last_full))
            self._in_full = {
                url
                for pairs in by_source.values()
                for url in full_pass_selection(pairs, self.full_pass_cap)
            }
            self.crawler.stats.set_value("nianbao/revisits/full_pass", len(self._in_full))
        return self._in_full

    def _passes(self, output: Any) -> bool:
        """Whether `output` goes on: anything but a request for a known report not due tonight."""
        if not isinstance(output, Request) or output.meta.get(META_ROLE) not in DOCUMENT_ROLES:
            return True
        known = known_documents(self.crawler).get(output.url)
        if known is None:
            return True
        if self.full_pass and output.url in self._full_pass_urls():
            output.meta[META_FULL_PASS] = True
            return True
        if known.revisit.is_due(self.now, self.ladder):
            return True
        if output.url not in self._not_due:
            self._not_due.add(output.url)
            stats = self.crawler.stats
            stats.inc_value("nianbao/revisits/not_due")
            source = output.meta.get(META_SOURCE) or known.source_id
            if source:
                stats.inc_value(f"nianbao/source/{source}/not_due")
        return False
