"""The middlewares a distributed worker adds: seed once, acknowledge finished requests, name its WARCs.

- `SeedAndAckMiddleware` (spider middleware, outermost): only the worker that claims the seed key
  feeds the start requests; a response's request is acknowledged once its callback's whole output
  has been scheduled or stored, so a kill before that point leaves it in flight, to be requeued.
- `AckFailedMiddleware` (downloader middleware, outermost): acknowledges requests that failed for
  good (the failure is already recorded by then).
- `WorkerWarcArchiveMiddleware`: the usual archiving, into files named `nianbao-<worker id>-…`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from archive.warc_store import WarcWriter
from crawler.distributed import META_INFLIGHT, coordinator_of
from crawler.middlewares.archive import WarcArchiveMiddleware


def _ack(crawler: Crawler, request: Request | None) -> None:
    coordinator = coordinator_of(crawler)
    if coordinator is not None and request is not None:
        coordinator.ack(request.meta.get(META_INFLIGHT))


class SeedAndAckMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedAndAckMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        coordinator = coordinator_of(self.crawler)
        if coordinator is not None and not coordinator.claim_seeding():
            return
        async for request_or_item in start:
            yield request_or_item
        if coordinator is not None:
            coordinator.seeding_done()

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for output in result:
            yield output
        # Reached once the consumer asked past the last output: everything above was handled.
        _ack(self.crawler, response.request)

    def process_spider_output(
        self, response: Response, result: Any, spider: Spider | None = None
    ) -> Any:
        yield from result
        _ack(self.crawler, response.request)

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Spider | None = None
    ) -> None:
        _ack(self.crawler, response.request)
        return None


class AckFailedMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckFailedMiddleware:
        return cls(crawler)

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        _ack(self.crawler, request)
        return None


class WorkerWarcArchiveMiddleware(WarcArchiveMiddleware):
    def __init__(self, crawler: Crawler, archive_dir: str, max_bytes: int) -> None:
        super().__init__(crawler, archive_dir, max_bytes)
        worker = crawler.settings.get("NIANBAO_WORKER_ID") or "worker"
        self.writer = WarcWriter(archive_dir, prefix=f"nianbao-{worker}", max_bytes=max_bytes)
