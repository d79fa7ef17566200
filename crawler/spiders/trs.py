"""The TRS WCM family: list pages `index.htm`, `index_1.htm`, … paged by a `createPageHTML` call.

TRS writes its pager with JavaScript, so the page links are not in the HTML: the call's arguments
(page count, current index, base name, extension) are read and every page is generated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from archive.records import ROLE_LIST
from crawler.spiders.base import FamilySpider
from crawler.spiders.links import (
    canonical_url,
    decoded,
    links_of,
    navigate_document,
    navigate_home,
    report_requests,
)

_PAGER_CALL = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']\s*\)"
)


def page_urls(response: Response) -> list[str]:
    """All list pages announced by the page's `createPageHTML(count, current, name, ext)` call."""
    match = _PAGER_CALL.search(response.text)
    if not match:
        return []
    count, current, name, ext = int(match[1]), int(match[2]), match[3], match[4]
    names = [
        f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}" for i in range(count) if i != current
    ]
    return [canonical_url(urljoin(response.url, n)) for n in names]


class TrsSpider(FamilySpider):
    name = "trs"
    family = "trs"

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield from navigate_home(self, decoded(self, response))

    def parse_list(self, response: Response) -> Iterator[Any]:
        response = decoded(self, response)
        yield from report_requests(self, response, links_of(response))
        source = self.source_of(response)
        for url in page_urls(response):
            if source.allows(url):
                yield self.follow(url, source, ROLE_LIST, self.parse_list, referer=response.url)

    def parse_document(self, response: Response) -> Iterator[Any]:
        yield from navigate_document(self, decoded(self, response))
