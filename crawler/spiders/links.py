"""Link recognition shared by the family spiders: which links are reports, columns, pages, files.

Government portals name things consistently even when their markup differs, so the decisions
live here once: a report is a title with a year and 年度报告/年报 (or a 自查报告), not a 指南 or
a 通知; the 年报 column is found by its name or its usual paths; attachments by their extension.
URLs are canonicalised so one report is requested once however a page spells its link.
The `navigate_*` helpers are the steps every family shares (home → column, detail → files).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import Response, TextResponse
from scrapy.selector import Selector

from crawler.spiders.base import META_LINK_TEXT
from pipeline.extraction.document import (
    ROLE_ATTACHMENT,
    ROLE_DOCUMENT,
    ROLE_IMAGE,
    ROLE_LIST,
    ROLE_OTHER,
)
from pipeline.extraction.table_images import MAX_IMAGE_BYTES, table_image_urls
from pipeline.extraction.url_site import site_of

if TYPE_CHECKING:
    from crawler.spiders.base import FamilySpider

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".wps", ".et")
_TRACKING_PARAMS = re.compile(r"^(utm_.*|spm|from|isappinstalled|share_?from|wxfrom)$", re.I)
_YEAR = re.compile(r"(?:19|20)\d{2}")
# 信息公开报告 without 工作: the title a real 区公安局 gave its report ("区公安局2017年度政府信息公开报告").
_REPORT_WORDS = re.compile(r"年度报告|年报|年度工作报告|(?:信息|政务)公开(?:工作)?报告")
_SELF_INSPECTION = re.compile(r"自查(?:情况)?(?:的)?报告")
# Titles that mention reports without being one: guides, notices about compiling reports,
# work plans, explanations of a report.
_NOT_REPORT = re.compile(r"指南|通知|要点|制度|目录|办法|意见|流程|公告|方案|解读|图解|征集|考核")
_COLUMN_NAMES = re.compile(r"(政府)?信息公开(工作)?(年报|年度报告)|^年度报告$|^年报$|公开年报")
_COLUMN_PATHS = re.compile(r"/(zfxxgknb|xxgknb|gknb|ndbg|zfxxgkndbg|xxgkndbg|nb)(/|$|/index)", re.I)
_OPEN_GOV_NAMES = re.compile(
    r"^(政务公开|政府信息公开|信息公开)$|政务公开专栏|政府信息公开专栏|^(政府)?信息公开目录$"
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_HOPS = "nianbao_hops"
MAX_HOME_HOPS = 2  # home → 政务公开 → (信息公开) → 年报


@dataclass(frozen=True)
class Link:
    url: str  # absolute and canonical
    text: str  # the full title: the anchor's title attribute when the text is cut short


def canonical_url(url: str) -> str:
    """One spelling per resource: no fragment, no default port, no tracking parameters,
    dot segments resolved, scheme and host lower-cased, query parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = site_of(url.strip())
    path = parts.path or "/"
    normal = posixpath.normpath(path)
    if path.endswith("/") and not normal.endswith("/"):
        normal += "/"
    normal = "/" + normal.lstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    ]
    return urlunsplit((scheme, netloc, normal, urlencode(sorted(query)), ""))


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\xa0", " "))


def links_of(response: Response) -> list[Link]:
    """Every http(s) link of a page, canonical, in page order, including links inside the XML
    datastores (CDATA) that Hanweb columns use instead of plain anchors."""
    if not isinstance(response, TextResponse):
        return []
    selectors = [response.selector]
    for script in response.xpath("//script/text()").getall():
        fragments = _CDATA.findall(script)
        if fragments:
            selectors.append(Selector(text="".join(fragments)))
    found: list[Link] = []
    for selector in selectors:
        for anchor in selector.xpath("//a[@href]"):
            href = anchor.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = urljoin(response.url, href)
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            text = _clean("".join(anchor.xpath(".//text()").getall()))
            title = _clean(anchor.attrib.get("title", ""))
            if len(title) > len(text.rstrip(".…")):
                text = title
            found.append(Link(canonical_url(url), text))
    found.extend(_template_links(response))
    return found


# TRS's avalon templates write some menu links only as `ms-attr-href`, built from the page's own
# path: `/zwgk/zfxxgk/{{paths[5]}}/{{paths[6]}}/{{paths[7]}}/zfxxgknb/` (avalon's windowRoot.paths
# is the page URL split on "/"). A department catalogue on such a portal links its 年报 column
# only this way.
_TEMPLATE_HREF = re.compile(r"^(?:[^{}]|\{\{paths\[\d+\]\}\})+$")
_PATHS_SLOT = re.compile(r"\{\{paths\[(\d+)\]\}\}")


def _template_links(response: TextResponse) -> list[Link]:
    """The `ms-attr-href` links whose only placeholders are the page URL's own path segments."""
    found: list[Link] = []
    segments = response.url.split("/")
    for anchor in response.xpath("//a[@ms-attr-href and not(@href)]"):
        template = anchor.attrib["ms-attr-href"].strip()
        if "{{" not in template or not _TEMPLATE_HREF.match(template):
            continue  # a bare expression (el.url): the model's data, not readable here
        slots = [int(n) for n in _PATHS_SLOT.findall(template)]
        if any(n >= len(segments) or not segments[n] for n in slots):
            continue
        href = _PATHS_SLOT.sub(lambda m: segments[int(m[1])], template)
        url = urljoin(response.url, href)
        text = _clean("".join(anchor.xpath(".//text()").getall()))
        found.append(Link(canonical_url(url), text))
    return found


def is_report_title(text: str) -> bool:
    """A report's title: a year and 年度报告/年报 (or a 自查报告), and not a notice or guide."""
    text = _clean(text)
    if not _YEAR.search(text) or _NOT_REPORT.search(text):
        return False
    return bool(_REPORT_WORDS.search(text) or _SELF_INSPECTION.search(text))


def is_report_column(link: Link) -> bool:
    """The 政府信息公开年报 column: by its name (no year in it) or by its usual paths."""
    if _YEAR.search(link.text):
        return False
    return bool(_COLUMN_NAMES.search(link.text) or _COLUMN_PATHS.search(urlsplit(link.url).path))


def is_open_gov(link: Link) -> bool:
    return bool(_OPEN_GOV_NAMES.search(link.text))


def is_attachment(url: str) -> bool:
    """A linked file: by the path's extension, or a download script's file name parameter."""
    parts = urlsplit(url)
    if parts.path.lower().endswith(ATTACHMENT_EXTENSIONS):
        return True
    return any(v.lower().endswith(ATTACHMENT_EXTENSIONS) for _, v in parse_qsl(parts.query))


def unique(links: Iterable[Link]) -> list[Link]:
    """First occurrence of each URL, keeping the longest title seen for it."""
    best: dict[str, Link] = {}
    for link in links:
        if link.url not in best or len(link.text) > len(best[link.url].text):
            best[link.url] = link
    return list(best.values())


# -- navigation steps every family shares ---------------------------------------------------------


def navigate_home(spider: FamilySpider, response: Response) -> Iterator[Any]:
    """Home → 政务公开 → 年报 column; straight to the column when the page already links it."""
    source = spider.source_of(response)
    links = [link for link in unique(links_of(response)) if source.allows(link.url)]
    columns = [link for link in links if is_report_column(link)]
    for link in columns:
        yield spider.follow(
            link.url,
            source,
            ROLE_LIST,
            spider.parse_list,
            link_text=link.text,
            referer=response.url,
        )
    if columns:
        return
    hops = response.meta.get(_HOPS, 0) + 1
    if hops > MAX_HOME_HOPS:
        return
    for link in links:
        if is_open_gov(link):
            yield spider.follow(
                link.url,
                source,
                ROLE_OTHER,
                spider.parse_home,
                link_text=link.text,
                referer=response.url,
                meta={_HOPS: hops},
            )


def report_requests(
    spider: FamilySpider, response: Response, links: Iterable[Link]
) -> Iterator[Any]:
    """Requests for the report links of a list page (detail pages, or files linked directly)."""
    source = spider.source_of(response)
    for link in unique(links):
        if not source.allows(link.url) or not is_report_title(link.text):
            continue
        if is_attachment(link.url):
            role, callback = ROLE_ATTACHMENT, spider.parse_attachment
        else:
            role, callback = ROLE_DOCUMENT, spider.parse_document
        yield spider.follow(
            link.url, source, role, callback, link_text=link.text, referer=response.url
        )


# What an attachment link's URL ends with, as bytes in any ASCII-compatible page encoding. The
# leading dot stays case-sensitive so the regex engine can skip ahead to each "." of the page.
_FILE_EXTENSION = re.compile(
    rb"\.(?i:"
    + b"|".join(re.escape(ext[1:].encode("ascii")) for ext in ATTACHMENT_EXTENSIONS)
    + rb")"
)
# A character reference that could spell that dot otherwise (&#46; &#046; &#x2E; &period;).
_ENCODED_DOT = re.compile(rb"&#(?:0*46|[xX]0*2[eE])|&period;")


def may_link_attachments(response: Response) -> bool:
    """False only when no link on the page can be an attachment (no file extension appears in it
    at all): most detail pages, whose parse is then skipped. Pages in encodings that are not
    ASCII-compatible are always parsed."""
    if not isinstance(response, TextResponse):
        return False
    if response.encoding.lower().replace("-", "").startswith(("utf16", "utf32")):
        return True
    body = response.body
    if _FILE_EXTENSION.search(body) is not None:
        return True
    return b"&" in body and _ENCODED_DOT.search(body) is not None


def table_image_requests(spider: FamilySpider, response: Response) -> Iterator[Any]:
    """Requests for the pictures of a report page that may be its tables
    (`pipeline.extraction.table_images`, the names the load and the rebuild look up), with the
    page as referer. Archived raw like every response; never redirected (the archive pairs a
    picture by the name the page gives it, so a redirect is recorded as the picture's failure),
    and cut off past the size cap (recorded as a failed request)."""
    if not isinstance(response, TextResponse):
        return
    source = spider.source_of(response)
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    for url in table_image_urls(response.body, response.url, content_type):
        if source.allows(url):
            yield spider.follow(
                url,
                source,
                ROLE_IMAGE,
                spider.parse_image,
                link_text=response.meta.get(META_LINK_TEXT),
                referer=response.url,
                meta={
                    "dont_redirect": True,
                    "handle_httpstatus_list": [301, 302, 303, 307, 308],
                    "download_maxsize": MAX_IMAGE_BYTES,
                },
            )


def navigate_document(spider: FamilySpider, response: Response) -> Iterator[Any]:
    """A detail page: the page itself as a document, its table pictures, then each attached
    file once. (Every page fetched as a document passed the report-title test on its way.)"""
    if response.status != 200:
        yield from spider.moved(response)
        return
    yield spider.document(response)
    yield from table_image_requests(spider, response)
    if not may_link_attachments(response):
        return
    source = spider.source_of(response)
    for link in unique(links_of(response)):
        if is_attachment(link.url) and source.allows(link.url):
            yield spider.follow(
                link.url,
                source,
                ROLE_ATTACHMENT,
                spider.parse_attachment,
                link_text=link.text,
                referer=response.url,
            )


def decoded(spider: FamilySpider, response: Response) -> Response:
    """The response decoded with the source's declared encoding when the source sets one."""
    encoding = spider.source_of(response).encoding
    if encoding and isinstance(response, TextResponse):
        return response.replace(encoding=encoding)
    return response
