"""Stops anti-bot challenge pages at the door: archived (as every response is), never parsed.

The WARC middleware has already written the response when this one sees it; a challenge (see
`pipeline.extraction.challenge`) is counted per source as `blocked` and the request is dropped, so no spider
ever treats a 瑞数/加速乐 page as a list or a report.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.spiders.base import META_SOURCE, response_headers
from pipeline.extraction.challenge import detect_challenge

logger = logging.getLogger(__name__)


class ChallengeDetectionMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeDetectionMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        challenge = detect_challenge(response.status, response_headers(response), response.body)
        if challenge is None:
            return response
        stats = self.crawler.stats
        stats.inc_value("nianbao/blocked")
        source = request.meta.get(META_SOURCE)
        if source:
            stats.inc_value(f"nianbao/source/{source}/blocked")
        logger.warning("Blocked at %s: %s", request.url, challenge)
        raise IgnoreRequest(f"blocked: {challenge}")
