"""The plain family: hand-built sites whose list pages link 下一页 and whose reports are files.

Detail pages are kept as documents (they may carry the report themselves) and their attachments
(PDF, DOCX, XLS(X), TXT) are followed; list pages are walked by their 下一页 links.
"""

from __future__ import annotations

import re

from scrapy.http import Response

from crawler.spiders.column import ColumnSpider
from crawler.spiders.links import Link, unique

_NEXT_PAGE = re.compile(r"^(下一页|下页|后一页|>|»)$")


class PlainSpider(ColumnSpider):
    name = "plain"
    family = "plain"

    @staticmethod
    def page_urls(response: Response, links: list[Link]) -> list[str]:
        """The list's "next page" links (下一页…): plain sites page with ordinary links."""
        return [link.url for link in unique(links) if _NEXT_PAGE.match(link.text)]
