"""Which list pages a column's page announces: one pager detector for every family.

Government portals page their columns in a handful of ways, and a crawl that misses page 2 misses
most of an agency's history without any error. `detect_pager` takes a list page's HTML, its URL
and its links (absolute URL, anchor text), tries each known style in turn, and returns the other
list pages with the style that matched:

- `create_page_html`: TRS WCM's `createPageHTML(count, current, "index", "html")` call;
- `count_page_script`: the older TRS pager, `var countPage = N` / `var currentPage = C` and a
  `document.write` of `"index" + "_" + i + "." + "html"` links;
- `query`: links carrying the page number in a query parameter (`page=`, `pageNo=`,
  `pageIndex=`, `curPage=`, `pageNum=`), other parameters kept;
- `numbered_links`: links named `index_N.html` / `list_N.htm` with a page count (共N页 text, a
  尾页 link, or the highest link);
- `next_link`: a 下一页 link, with every page to the last when the page says where it stands.

Pure: no Scrapy, no settings. The caller passes its page cap (`NIANBAO_MAX_LIST_PAGES`); no style
ever generates more URLs than that, so a pager announcing 100,000 pages costs nothing here, and
the spider's own per-source cap records the cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.spiders.links import canonical_url

DEFAULT_MAX_PAGES = 200

STYLE_CREATE_PAGE_HTML = "create_page_html"
STYLE_COUNT_PAGE_SCRIPT = "count_page_script"
STYLE_QUERY = "query"
STYLE_NUMBERED_LINKS = "numbered_links"
STYLE_NEXT_LINK = "next_link"

# The styles a family's CMS writes, tried first when a source names its family: a hint that
# wins where more than one style matches a page (detection alone needs no family).
FAMILY_STYLES: dict[str, tuple[str, ...]] = {
    "trs": (STYLE_CREATE_PAGE_HTML, STYLE_COUNT_PAGE_SCRIPT),
    "hanweb": (STYLE_QUERY,),
    "plain": (STYLE_NUMBERED_LINKS, STYLE_NEXT_LINK),
}


@dataclass(frozen=True)
class Pager:
    """The list pages a page announces (canonical, itself excluded) and the style that said so."""

    style: str
    urls: list[str]


# -- scripts ---------------------------------------------------------------------------------------

# A line that is only a `//` comment: TRS templates keep the retired pager call commented out
# next to the live one (`//createPageHTML(9, 0, "index", "html");` above `var countPage = 17`).
_COMMENT_LINE = re.compile(r"^[ \t]*//.*$", re.M)
_CREATE_PAGE_HTML = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']\s*\)"
)
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
# String pieces glued by `+` ("index"+"_" + i) read as one string once the glue is taken out.
_GLUE = re.compile(r"[\"']\s*\+\s*[\"']")
# After the glue is gone: index_" + i + ".html  (also `+ (countPage-1) +`, `+ nextPage +`).
_SCRIPT_PAGE_NAME = re.compile(r"([\w-]+)_[\"']\s*\+\s*[^+]{1,40}?\+\s*[\"']\.(s?html?)\b")


def _script_text(html: str) -> str:
    return _COMMENT_LINE.sub("", html)


def _zero_based_pages(base_url: str, name: str, ext: str, count: int, current: int) -> list[str]:
    """name.ext, name_1.ext, … name_{count-1}.ext (TRS counts from 0), without page `current`."""
    names = [f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}" for i in range(count)]
    return [urljoin(base_url, n) for i, n in enumerate(names) if i != current]


def _create_page_html(html: str, url: str, max_pages: int) -> list[str] | None:
    match = _CREATE_PAGE_HTML.search(_script_text(html))
    if not match:
        return None
    count, current = min(int(match[1]), max_pages + 1), int(match[2])
    return _zero_based_pages(url, match[3], match[4], count, current)


def _count_page_script(html: str, url: str, max_pages: int) -> list[str] | None:
    script = _script_text(html)
    count = _COUNT_PAGE.search(script)
    if not count:
        return None
    name = _SCRIPT_PAGE_NAME.search(_GLUE.sub("", script))
    if not name:
        return None
    current = _CURRENT_PAGE.search(script)
    return _zero_based_pages(
        url,
        name[1],
        name[2],
        min(int(count[1]), max_pages + 1),
        int(current[1]) if current else 0,
    )


# -- links -----------------------------------------------------------------------------------------

_QUERY_KEYS = ("page", "pageno", "pageindex", "curpage", "pagenum")
_NEXT_TEXT = re.compile(r"^(下一页|下页|后一页|>|»)$")
_LAST_TEXT = re.compile(r"^(尾页|末页|最后一页|>>|»»)$")
_TAG = re.compile(r"<[^>]*>")
# 第3页/共40页, 第3页 共40页, 当前第3/40页, 3/40页, 页次：3/40, 共40页
_PAGE_OF_PAGES = (
    re.compile(r"第\s*(\d+)\s*页\s*[/／,，]?\s*共\s*(\d+)\s*页"),
    re.compile(r"(\d+)\s*[/／]\s*(\d+)\s*页"),
    re.compile(r"页次\s*[:：]\s*(\d+)\s*[/／]\s*(\d+)"),
)
_PAGE_COUNT = re.compile(r"共\s*(\d+)\s*页")
# Hanweb's column datastore states its page count in XML.
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_NUMBERED_NAME = re.compile(r"/((?:index|list)_)(\d+)\.(s?html?)$")
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


def _page_count(html: str) -> int | None:
    """The page count the page states (共N页, 第1页/共N页, <totalpage>N</totalpage>), if any."""
    total = _TOTAL_PAGE.search(html)
    if total:
        return int(total[1])
    position = pager_position(html)
    if position:
        return position[1]
    match = _PAGE_COUNT.search(_TAG.sub("", html))
    return int(match[1]) if match else None


def _query_page(url: str) -> tuple[str, int] | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if key.lower() in _QUERY_KEYS and value.isdigit():
            return key, int(value)
    return None


def _query(html: str, url: str, links: list[tuple[str, str]], max_pages: int) -> list[str] | None:
    # An anchor with no text is no pager link: Hanweb's <nextgroup> names its dataproxy.jsp
    # (`?page=1&columnid=…`), which `crawler.spiders.list_apis` calls as the CMS does.
    paged = [(link, text, found) for link, text in links if text and (found := _query_page(link))]
    if not paged:
        return None
    key = paged[0][2][0]
    numbers = [found[1] for _, _, found in paged if found[0] == key]
    first = min([*numbers, 1])
    last = max([*numbers, _page_count(html) or 0])
    template = urlsplit(paged[0][0])
    params = [(k, v) for k, v in parse_qsl(template.query) if k != key]
    pages = range(first, min(last, first + max_pages) + 1)
    return [
        urlunsplit(
            (template.scheme, template.netloc, template.path, urlencode([*params, (key, n)]), "")
        )
        for n in pages
    ]


def _numbered_links(
    html: str, url: str, links: list[tuple[str, str]], max_pages: int
) -> list[str] | None:
    named = [(m, text) for link, text in links if (m := _NUMBERED_NAME.search(urlsplit(link).path))]
    if not named:
        return None
    prefix, ext = named[0][0][1], named[0][0][3]
    numbers = [int(m[2]) for m, _ in named if m[1] == prefix and m[3] == ext]
    last = max(numbers)
    last_links = [int(m[2]) for m, text in named if _LAST_TEXT.match(text)]
    if last_links:
        last = max(last, *last_links)
    count = _page_count(html)
    if count:
        # index_N is page N+1 (index.html is page 1); list_N is page N.
        last = max(last, count - 1 if prefix == "index_" else count)
    base = urljoin(url, ".")
    # list.html is often page 1 and list_1.html may not exist: start at the lowest link seen.
    first = 1 if prefix == "index_" else min(numbers)
    urls = [f"{base}{prefix}{n}.{ext}" for n in range(first, min(last, first + max_pages) + 1)]
    if prefix == "index_":
        urls.insert(0, f"{base}index.{ext}")
    return urls


def _next_link(html: str, links: list[tuple[str, str]], max_pages: int) -> list[str] | None:
    next_urls = list(dict.fromkeys(link for link, text in links if _NEXT_TEXT.match(text)))
    if not next_urls:
        return None
    position = pager_position(html)
    if len(next_urls) != 1 or position is None:
        return next_urls
    current, count = position
    return numbered_pages(next_urls[0], current + 1, min(count, current + max_pages)) or next_urls


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


# -- the detector ----------------------------------------------------------------------------------


def detect_pager(
    html: str,
    url: str,
    links: Iterable[tuple[str, str]] = (),
    max_pages: int = DEFAULT_MAX_PAGES,
    family: str | None = None,
) -> Pager | None:
    """The other list pages `html` (served at `url`) announces, by the first style that matches.

    `links` are the page's anchors as (absolute URL, text). Scripted pagers come first: they
    state the page count, where links only show a window of it; a named `family` puts its own
    styles (`FAMILY_STYLES`) before the others. None when no style matches.
    """
    anchors = list(links)
    attempts = (
        (STYLE_CREATE_PAGE_HTML, lambda: _create_page_html(html, url, max_pages)),
        (STYLE_COUNT_PAGE_SCRIPT, lambda: _count_page_script(html, url, max_pages)),
        (STYLE_QUERY, lambda: _query(html, url, anchors, max_pages)),
        (STYLE_NUMBERED_LINKS, lambda: _numbered_links(html, url, anchors, max_pages)),
        (STYLE_NEXT_LINK, lambda: _next_link(html, anchors, max_pages)),
    )
    preferred = FAMILY_STYLES.get(family or "", ())
    current = canonical_url(url)
    for style, attempt in sorted(attempts, key=lambda entry: entry[0] not in preferred):
        found = attempt()
        if found is None:
            continue
        urls = [u for u in dict.fromkeys(canonical_url(u) for u in found) if u != current]
        return Pager(style, urls[:max_pages])
    return None
