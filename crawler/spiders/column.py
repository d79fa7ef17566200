"""What the family spiders share beyond the base: home → column → list pages → documents.

Every family finds a list page's other pages with the one pager detector
(`crawler.spiders.pagers`), so a TRS site with the older countPage pager or a plain site with a
`createPageHTML` call is walked fully; a family may still override `page_urls`. A column that
is an index of sub-columns (市直部门年报 → each department's column) is descended into
(`crawler.spiders.subcolumns`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.spiders.base import META_REFUSED, FamilySpider
from crawler.spiders.links import (
    Link,
    decoded,
    links_of,
    navigate_document,
    navigate_home,
    report_requests,
)
from crawler.spiders.pagers import detect_pager
from crawler.spiders.subcolumns import subcolumn_requests
from pipeline.extraction.document import ROLE_LIST


class ColumnSpider(FamilySpider):
    """A family spider for portals whose report column is a paged list of links."""

    def page_urls(self, response: Response, links: list[Link]) -> list[str]:
        """The column's other list pages that this list page announces (at most the page cap)."""
        pager = detect_pager(
            response.text,
            response.url,
            [(link.url, link.text) for link in links],
            max_pages=self.max_list_pages,
        )
        return pager.urls if pager else []

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield from navigate_home(self, decoded(self, response))

    def parse_list(self, response: Response) -> Iterator[Any]:
        response = decoded(self, response)
        links = links_of(response)
        yield from report_requests(self, response, links)
        yield from subcolumn_requests(self, response, links)
        source = self.source_of(response)
        # Every page of a column announces the same pages again; asking for them once keeps a
        # column of n pages at n requests built instead of n² (the dupefilter would drop them).
        for url in self.page_urls(response, links):
            if self.list_page_requested(url, source) or not source.allows(url):
                continue
            request = self.follow(url, source, ROLE_LIST, self.parse_list, referer=response.url)
            yield request
            if META_REFUSED in request.meta:
                break  # past the source's page cap: one refusal records the cut, more repeat it

    def parse_document(self, response: Response) -> Iterator[Any]:
        yield from navigate_document(self, decoded(self, response))
