"""What the family spiders share beyond the base: home → column → list pages → documents.

The families differ only in how a list page announces the column's other pages; each subclass
gives that as `page_urls(response, links)`.
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
from pipeline.extraction.document import ROLE_LIST


class ColumnSpider(FamilySpider):
    """A family spider for portals whose report column is a paged list of links."""

    @staticmethod
    def page_urls(response: Response, links: list[Link]) -> list[str]:
        """The column's other list pages that this list page announces."""
        raise NotImplementedError

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield from navigate_home(self, decoded(self, response))

    def parse_list(self, response: Response) -> Iterator[Any]:
        response = decoded(self, response)
        links = links_of(response)
        yield from report_requests(self, response, links)
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
