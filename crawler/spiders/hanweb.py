"""The Hanweb JCMS family: GBK pages, column records in an XML datastore, `pageNum=` paging.

Pages are decoded by the HTTP charset (GBK) before any meta tag, which some articles get wrong;
a source's `encoding` overrides both. The column's records are CDATA inside a script, which
`links_of` reads; every page up to the datastore's `<totalpage>` (or the highest `pageNum` link)
is requested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)


def page_urls(response: Response) -> list[str]:
    """Every `pageNum` page of the column, from its total page count or its highest page link."""
    paged = [
        link.url for link in links_of(response) if "pagenum=" in urlsplit(link.url).query.lower()
    ]
    if not paged:
        return []
    numbers = [
        int(v)
        for url in paged
        for k, v in parse_qsl(urlsplit(url).query)
        if k.lower() == "pagenum" and v.isdigit()
    ]
    total = _TOTAL_PAGES.search(response.text)
    last = max(numbers + ([int(total[1])] if total else []))
    template = urlsplit(paged[0])
    params = [(k, v) for k, v in parse_qsl(template.query) if k.lower() != "pagenum"]
    current = canonical_url(response.url)
    urls = []
    for number in range(1, last + 1):
        query = urlencode([*params, ("pageNum", str(number))])
        url = canonical_url(
            urlunsplit((template.scheme, template.netloc, template.path, query, ""))
        )
        if url != current:
            urls.append(url)
    return urls


class HanwebSpider(FamilySpider):
    name = "hanweb"
    family = "hanweb"

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
