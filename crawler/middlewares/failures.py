"""Requests that got no response at all (after retries) are reported, so none vanish silently."""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler

from crawler.spiders.base import META_LINK_TEXT, META_ROLE, META_SOURCE
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import ROLE_OTHER

logger = logging.getLogger(__name__)


class FailureRecorderMiddleware:
    """Reports requests that ended with no response at all (after retries), so none vanish silently.

    It sits far from the downloader (priority 50): the retry middleware has already retried what it
    could, so what reaches here is final.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureRecorderMiddleware:
        return cls(crawler)

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        reason = f"{type(exception).__name__}: {exception}".strip()
        self.crawler.stats.inc_value(f"nianbao/fetch_failed/{type(exception).__name__}")
        source = request.meta.get(META_SOURCE)
        if source:
            self.crawler.stats.inc_value(f"nianbao/source/{source}/fetch_failed")
            if "robots.txt" in reason:
                self.crawler.stats.inc_value(f"nianbao/source/{source}/robots")
        logger.warning("No response for %s: %s", request.url, reason)
        self.crawler.signals.send_catch_log(
            nianbao_signals.fetch_failed,
            url=request.url,
            source_id=request.meta.get(META_SOURCE),
            role=request.meta.get(META_ROLE, ROLE_OTHER),
            reason=reason,
            link_text=request.meta.get(META_LINK_TEXT),
        )
        return None
