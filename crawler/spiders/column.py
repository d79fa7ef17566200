"""What the family spiders share beyond the base: home → column → list pages → documents.

Every family finds a list page's other pages with the one pager detector
(`crawler.spiders.pagers`) and the API calls a column makes for its later records
(`crawler.spiders.list_apis`: Hanweb's dataproxy.jsp POSTs, jpaas units, getInfoList-style JSON),
so a TRS site with the older countPage pager, a plain site with a `createPageHTML` call, or a
portal of no known family (`family: auto`) is walked fully. A family named in the source file
only orders the styles tried; a family may still override `page_urls`. A column that is an index
of sub-columns (市直部门年报 → each department's column) is descended into
(`crawler.spiders.subcolumns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from scrapy.http import Response, TextResponse

from crawler.sources import Source
from crawler.spiders.base import META_LIST_KEY, META_REFUSED, FamilySpider
from crawler.spiders.links import (
    Link,
    canonical_url,
    decoded,
    links_of,
    navigate_document,
    navigate_home,
    report_requests,
)
from crawler.spiders.list_apis import (
    CATALOGUE_STYLES,
    STYLE_HANWEB_DATAPROXY,
    ListCall,
    list_calls,
    read_answer,
)
from crawler.spiders.pagers import detect_pager
from crawler.spiders.subcolumns import subcolumn_requests
from pipeline.extraction.document import ROLE_LIST

META_LIST_STYLE = (
    "nianbao_list_style"  # the API style of a list call (see crawler.spiders.list_apis)
)
_FAMILY_CALLS = {"hanweb": (STYLE_HANWEB_DATAPROXY,)}
_FORM_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "X-Requested-With": "XMLHttpRequest",
}


class ColumnSpider(FamilySpider):
    """A family spider for portals whose report column is a paged list of links."""

    def page_urls(self, response: Response, links: list[Link]) -> list[str]:
        """The column's other list pages that this list page announces (at most the page cap)."""
        pager = detect_pager(
            response.text,
            response.url,
            [(link.url, link.text) for link in links],
            max_pages=self.max_list_pages,
            family=self.family,
        )
        return pager.urls if pager else []

    def parse_home(self, response: Response) -> Iterator[Any]:
        response = decoded(self, response)
        yield from navigate_home(self, response)
        if isinstance(response, TextResponse):
            # A 信息公开目录 platform's home lists its 年报 category in a script's tree.
            calls = list_calls(
                response.text, response.url, self.max_list_pages, only=CATALOGUE_STYLES
            )
            yield from self.call_requests(response, self.source_of(response), calls)

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
        if isinstance(response, TextResponse):
            calls = list_calls(
                response.text,
                response.url,
                self.max_list_pages,
                first=_FAMILY_CALLS.get(self.family, ()),
            )
            yield from self.call_requests(response, source, calls)

    def parse_list_call(self, response: Response) -> Iterator[Any]:
        """An API answer for part of a column: its report links, then the calls that follow."""
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        response = decoded(self, response)
        body = response.request.body if response.request is not None else b""
        call = ListCall(
            response.meta[META_LIST_STYLE],
            response.url,
            tuple(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)),
        )
        answer = read_answer(response.text, call, self.max_list_pages)
        links = [Link(canonical_url(url), text) for url, text in answer.links]
        yield from report_requests(self, response, links)
        yield from self.call_requests(response, self.source_of(response), answer.next_calls)

    def call_requests(
        self, response: Response, source: Source, calls: Iterable[ListCall]
    ) -> Iterator[Any]:
        """Requests for a column's API calls, each once and within the source's page cap."""
        for call in calls:
            if self.list_page_requested(call.key, source) or not source.allows(call.url):
                continue
            request = self.follow(
                call.url,
                source,
                ROLE_LIST,
                self.parse_list_call,
                referer=response.url,
                method=call.method,
                body=urlencode(call.form) if call.form else None,
                headers=_FORM_HEADERS if call.form else {"X-Requested-With": "XMLHttpRequest"},
                meta={META_LIST_STYLE: call.style, META_LIST_KEY: call.key},
            )
            yield request
            if META_REFUSED in request.meta:
                break

    def parse_document(self, response: Response) -> Iterator[Any]:
        yield from navigate_document(self, decoded(self, response))
