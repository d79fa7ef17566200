"""A bare Scrapy spider fetching a list of URLs with no pipelines: the crawl benchmark's baseline.

    python bench/bare_spider.py URLS_FILE CONCURRENCY

Prints the number of responses and the seconds the crawl itself took (from the start of Scrapy's
engine to its end: interpreter start-up and imports excluded, as `nianbao crawl`'s fetch time
excludes them). Politeness is off (no robots.txt, no AutoThrottle, no delay), as
it is for the `nianbao crawl` it is compared with.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.responses = 0

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response: Any) -> None:
        self.responses += 1


def main() -> None:
    urls = [line.strip() for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    concurrency = int(sys.argv[2])
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "ROBOTSTXT_OBEY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "REDIRECT_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    started = time.perf_counter()
    process.start()
    print(crawler.spider.responses, round(time.perf_counter() - started, 3))


if __name__ == "__main__":
    main()
