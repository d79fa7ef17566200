"""The Hanweb JCMS family: GBK pages, column records in an XML datastore, `pageNum=` paging.

Pages are decoded by the HTTP charset (GBK) before any meta tag, which some articles get wrong;
a source's `encoding` overrides both. The column's records are CDATA inside a script, which
`links_of` reads; every page up to the datastore's `<totalpage>` (or the highest `pageNum` link)
is requested.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response

from crawler.spiders.column import ColumnSpider
from crawler.spiders.links import Link, canonical_url, links_of

_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)


def page_urls(response: Response, links: list[Link] | None = None) -> list[str]:
    """Every `pageNum` page of the column, from its total page count or its highest page link."""
    paged = [
        link.url
        for link in (links_of(response) if links is None else links)
        if "pagenum=" in urlsplit(link.url).query.lower()
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


class HanwebSpider(ColumnSpider):
    name = "hanweb"
    family = "hanweb"

    @staticmethod
    def page_urls(response: Response, links: list[Link]) -> list[str]:
        return page_urls(response, links)
