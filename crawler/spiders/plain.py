"""The plain family: hand-built sites whose list pages link 下一页 and whose reports are files.

Detail pages are kept as documents (they may carry the report themselves) and their attachments
(PDF, DOCX, XLS(X), TXT) are followed; list pages are walked by their 下一页 links. When a page also
states where it stands (第3页/共40页, 3/40页) and its 下一页 link is numbered (list_4.html,
?page=4), every page to the last is requested at once: following 下一页 alone fetches a long column
one page after another, each waiting for the last.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.http import Response

from crawler.spiders.column import ColumnSpider
from crawler.spiders.links import Link, unique

_NEXT_PAGE = re.compile(r"^(下一页|下页|后一页|>|»)$")
_TAG = re.compile(r"<[^>]*>")
# 第3页/共40页, 第3页 共40页, 当前第3/40页, 3/40页, 页次：3/40
_PAGE_OF_PAGES = (
    re.compile(r"第\s*(\d+)\s*页\s*[/／,，]?\s*共\s*(\d+)\s*页"),
    re.compile(r"(\d+)\s*[/／]\s*(\d+)\s*页"),
    re.compile(r"页次\s*[:：]\s*(\d+)\s*[/／]\s*(\d+)"),
)
_DIGITS = re.compile(r"\d+")


def pager_position(html: str) -> tuple[int, int] | None:
    """(current page, page count), both counted from 1, from the pager's text; None if unstated."""
    text = _TAG.sub("", html)
    for pattern in _PAGE_OF_PAGES:
        match = pattern.search(text)
        if match:
            current, count = int(match[1]), int(match[2])
            if 1 <= current <= count:
                return current, count
    return None


def numbered_pages(next_url: str, next_page: int, last_page: int) -> list[str]:
    """Pages `next_page`…`last_page` of a column whose page `next_page` is `next_url`.

    The page number is the rightmost number in the URL's path or query that reads `next_page`
    (pages counted from 1) or `next_page - 1` (from 0, as in index_1.html for page 2); a URL with
    neither gives [] and the caller falls back to following 下一页.
    """
    parts = urlsplit(next_url)
    origin = f"{parts.scheme}://{parts.netloc}"  # its port is not a page number
    if not next_url.startswith(origin):
        return []
    for match in reversed(list(_DIGITS.finditer(next_url, len(origin)))):
        number = match.group()
        if number.startswith("0") and number != "0":
            continue
        offset = int(number) - next_page
        if offset not in (0, -1):
            continue
        head, tail = next_url[: match.start()], next_url[match.end() :]
        return [f"{head}{page + offset}{tail}" for page in range(next_page, last_page + 1)]
    return []


class PlainSpider(ColumnSpider):
    name = "plain"
    family = "plain"

    @staticmethod
    def page_urls(response: Response, links: list[Link]) -> list[str]:
        """The list's "next page" link (下一页…), or every page after this one when the pager
        says how many there are and the next page's URL carries its number."""
        next_urls = [link.url for link in unique(links) if _NEXT_PAGE.match(link.text)]
        if len(next_urls) != 1:
            return next_urls
        position = pager_position(response.text)
        if position is None:
            return next_urls
        current, count = position
        return numbered_pages(next_urls[0], current + 1, count) or next_urls
