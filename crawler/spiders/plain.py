"""The plain family: hand-built sites whose list pages link 下一页 and whose reports are files.

Detail pages are kept as documents (they may carry the report themselves) and their attachments
(PDF, DOCX, XLS(X), TXT) are followed; list pages are walked by their 下一页 links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from archive.records import ROLE_LIST
from crawler.spiders.base import FamilySpider
from crawler.spiders.links import (
    decoded,
    links_of,
    navigate_document,
    navigate_home,
    report_requests,
    unique,
)

_NEXT_PAGE = re.compile(r"^(下一页|下页|后一页|>|»)$")


class PlainSpider(FamilySpider):
    name = "plain"
    family = "plain"

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield from navigate_home(self, decoded(self, response))

    def parse_list(self, response: Response) -> Iterator[Any]:
        response = decoded(self, response)
        links = links_of(response)
        yield from report_requests(self, response, links)
        source = self.source_of(response)
        for link in unique(links):
            if _NEXT_PAGE.match(link.text) and source.allows(link.url):
                yield self.follow(
                    link.url,
                    source,
                    ROLE_LIST,
                    self.parse_list,
                    link_text=link.text,
                    referer=response.url,
                )

    def parse_document(self, response: Response) -> Iterator[Any]:
        yield from navigate_document(self, decoded(self, response))
