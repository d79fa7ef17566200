"""Sub-columns of a 年报 column: the city's own, each department's, each district's, each township's.

A city portal's 年报 column is often only an index: 市政府年报 / 市直部门年报 / 县区年报 / 乡镇街道年报,
and under 市直部门年报 one column per department, named by the department. A list page's link is a
sub-column to descend into when it is not a report and not a file, and either

- names a 年报 column (市直部门年报, 县区年报: 年报 or 年度报告 and no year), anywhere on the portal; or
- names an agency or an area (示例市民政局, 某某区, 某某镇) and leads below the column the descent
  started from (its path goes on under that column's folder): the same names in a portal's menus
  and footers lead elsewhere. On a page reached through a 年报 group's name (市直部门年报), which
  is an index of such columns by design, an agency's column may lead anywhere on the portal, as
  Hanweb's sibling `/col/colNNN/` columns do.

The descent goes at most MAX_DEPTH columns down, and every sub-column's page counts against the
source's list-page cap, as any list page does. Navigation only: which agency published a report is
read from the report's own page at extraction.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from crawler.spiders.base import META_LINK_TEXT, FamilySpider
from crawler.spiders.links import Link, is_attachment, is_report_title, unique
from pipeline.extraction.document import ROLE_LIST

META_DEPTH = "nianbao_subcolumn_depth"
META_BASE = "nianbao_subcolumn_base"  # the folder of the column the descent started from
MAX_DEPTH = 3  # 年报 → 市直部门年报 → 民政局 (→ its own sub-columns by kind)

_YEAR = re.compile(r"(?:19|20)\d{2}")
_COLUMN_NAME = re.compile(r"年报|年度报告")
# Group names of the sub-columns, and the endings of agency and area names.
_GROUP_NAME = re.compile(
    r"^(市政府|市直部门|市直单位|政府部门|部门|县区|县\(市、区\)|县（市、区）|区县|乡镇|街道|乡镇街道|乡镇\(街道\)|乡镇（街道）)$"
)
_AGENCY_OR_AREA = re.compile(
    r"^[\u4e00-\u9fff]{1,25}"
    r"(局|委|委员会|办|办公室|政府|院|厅|署|中心|管委会|管理委员会|街道|街道办事处|镇|乡|区|县|市|旗)"
    r"([（(][^（）()]{1,10}[）)])?$"
)


def _folder(url: str) -> str:
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def _column_home(url: str, page_url: str) -> bool:
    """Whether `url` is the front page of the column `page_url` is in (its folder, or the folder's
    index page): a breadcrumb back to the column names it like a 年报 column, and its other pages
    are the pager's."""
    path = urlsplit(url).path or "/"
    name = posixpath.basename(path)
    return _folder(url) == _folder(page_url) and (not name or name.startswith("index."))


def names_a_group(text: str) -> bool:
    """Whether a link's text names a group of 年报 columns (市直部门年报, 县区年报, 乡镇街道)."""
    return bool(not _YEAR.search(text) and (_COLUMN_NAME.search(text) or _GROUP_NAME.match(text)))


def is_subcolumn(link: Link, base_folder: str) -> bool:
    """Whether `link` (on a list page of a column whose folder is `base_folder`) is a sub-column."""
    text = link.text
    if not text or _YEAR.search(text) or is_report_title(text) or is_attachment(link.url):
        return False
    if names_a_group(text):
        return True
    below = _folder(link.url)
    return (
        bool(_AGENCY_OR_AREA.match(text)) and below.startswith(base_folder) and below != base_folder
    )


def subcolumn_requests(
    spider: FamilySpider, response: Response, links: Iterable[Link]
) -> Iterator[Any]:
    """Requests for the sub-columns a list page links, one level further down."""
    depth = response.meta.get(META_DEPTH, 0)
    if depth >= MAX_DEPTH:
        return
    source = spider.source_of(response)
    base = response.meta.get(META_BASE) or _folder(response.url)
    # A group's index (市直部门年报) lists its agencies' columns, which may be anywhere; the pages
    # below it keep the column's folder.
    anywhere = bool(depth) and names_a_group(response.meta.get(META_LINK_TEXT) or "")
    for link in unique(links):
        if not source.allows(link.url) or spider.list_page_requested(link.url, source):
            continue
        if _column_home(link.url, response.url) or not is_subcolumn(
            link, "/" if anywhere else base
        ):
            continue
        yield spider.follow(
            link.url,
            source,
            ROLE_LIST,
            spider.parse_list,
            link_text=link.text,
            referer=response.url,
            meta={META_DEPTH: depth + 1, META_BASE: base},
        )
