"""robots.txt obeyed, Crawl-delay included (Scrapy's own middleware ignores Crawl-delay).

When a site's robots.txt asks for a Crawl-delay, its download slot (host:port) gets at least that
delay and AutoThrottle is told not to lower it. A source may override robots.txt only with a reason
in its source file (`crawler.sources`); the spiders then mark its requests `dont_obey_robotstxt`.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class CrawlDelayRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request):  # type: ignore[no-untyped-def]
        # Scrapy hands every request that arrives while robots.txt is still downloading the same
        # Deferred; awaited as asyncio futures, only the first waiter gets the parser and the rest
        # get None, i.e. "no robots.txt" — they would be fetched unchecked. Each waiter gets its
        # own Deferred relaying the parser instead.
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()

            def relay(result):  # type: ignore[no-untyped-def]
                waiter.callback(result)
                return result

            pending.addBoth(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    def process_request_2(self, rp, request: Request) -> None:  # type: ignore[no-untyped-def]
        super().process_request_2(rp, request)
        if rp is None:
            return
        agent = self._robotstxt_useragent or request.headers.get(
            b"User-Agent", self._default_useragent
        )
        delay = rp.crawl_delay(agent)
        if not delay:
            return
        slot_key = request.meta.get("download_slot") or urlparse_cached(request).netloc
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        slot = downloader.slots.get(slot_key)
        if slot is not None:
            if slot.delay < delay:
                slot.delay = float(delay)
                logger.info("Crawl-delay %ss for %s (robots.txt)", delay, slot_key)
        else:
            settings = downloader.per_slot_settings.setdefault(slot_key, {})
            settings["delay"] = max(float(delay), settings.get("delay", 0.0))
