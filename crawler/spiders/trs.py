"""The TRS WCM family: list pages `index.htm`, `index_1.htm`, … paged by a `createPageHTML` call.

TRS writes its pager with JavaScript, so the page links are not in the HTML: the call's arguments
(page count, current index, base name, extension) are read and every page is generated.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from scrapy.http import Response

from crawler.spiders.column import ColumnSpider
from crawler.spiders.links import Link, canonical_url

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


class TrsSpider(ColumnSpider):
    name = "trs"
    family = "trs"

    @staticmethod
    def page_urls(response: Response, links: list[Link]) -> list[str]:
        return page_urls(response)
