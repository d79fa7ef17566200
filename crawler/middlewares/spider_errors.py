"""A callback that raises is a page lost: it is recorded as failed, not only logged.

Scrapy logs a spider callback's exception and goes on; the crawl's run record never saw it, so a
column whose list page made the spider raise lost every report behind it with the run reporting
success. This spider middleware records each such page as a failed page of its source (the same
signal as a request that got no response: a page row with the reason, a failure in the run
record) and counts it per source (`nianbao/source/<id>/spider_errors`). Scrapy still logs the
traceback.
"""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.spiders.base import META_LINK_TEXT, META_ROLE, META_SOURCE
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import ROLE_OTHER

logger = logging.getLogger(__name__)


class SpiderErrorRecorderMiddleware:
    """Spider middleware: a response whose callback raised becomes a failed page with its reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderErrorRecorderMiddleware:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Spider | None = None
    ) -> None:
        assert self.crawler.stats is not None
        reason = f"spider error: {type(exception).__name__}: {exception}".strip()[:500]
        meta = response.meta
        source = meta.get(META_SOURCE)
        self.crawler.stats.inc_value("nianbao/spider_errors")
        if source:
            self.crawler.stats.inc_value(f"nianbao/source/{source}/spider_errors")
        self.crawler.signals.send_catch_log(
            nianbao_signals.fetch_failed,
            url=response.url,
            source_id=source,
            role=meta.get(META_ROLE, ROLE_OTHER),
            reason=reason,
            link_text=meta.get(META_LINK_TEXT),
        )
        return None  # Scrapy goes on to log the traceback
