"""Sample sites whose column is paged by static pages: the older TRS countPage script, a query pager.

- `countpage`: modelled on the real 鄂尔多斯 column of `tests/fixtures/real/ordos_egb_xxgknb.html`:
  `index.html`, `index_1.html`, … whose pager exists only inside an inline script
  (`var countPage = N` … `document.write("<a href=\\"index_" + i + ".html\\">")`), with the retired
  `createPageHTML` call left commented out above it, as that page has it.
- `query`: a JSP column `list.jsp?channelId=7&pageNo=N` with 首页/上一页/下一页/尾页 links and a
  共N页 count, as many hand-built and older CMS sites page.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from urllib.parse import parse_qsl

from portal.placement import Entry, FamilyLayout, ListPage, Navigation, ReportColumn
from portal.sites import Site, html_page
from portal.style_pages import noise_page, report_placer

# -- countPage -------------------------------------------------------------------------------------

COUNT_PAGE_COLUMN = "/xxgk/xxgknb/"
COUNT_PAGE_LIST = re.compile(r"^/xxgk/xxgknb/(index(_\d+)?\.html)?$")


def _count_page_rows(entries: list[Entry]) -> str:
    return "\n".join(
        f'<tr><td class="title"><a href="{escape(e.href)}" target="_blank" '
        f'title="{escape(e.title)}">{escape(e.title)}</a></td>'
        f"<td>{e.published:%Y-%m-%d}</td></tr>"
        for e in entries
    )


def _count_page_list(site: Site, page: ListPage) -> str:
    # Only the script: a crawler that does not read it sees no page 2.
    pager = (
        '<script type="text/javascript">\n'
        f'//createPageHTML({page.pages}, {page.index}, "index", "html");\n'
        f"var currentPage = {page.index};\nvar countPage = {page.pages};\n"
        "if (countPage > 1) {\n"
        "  for (var i = 0; i < countPage; i++) {\n"
        '    if (i == currentPage) document.write("<span>" + (i+1) + "</span>");\n'
        '    else if (i == 0) document.write("<a href=\\"index.html\\">1</a>");\n'
        '    else document.write("<a href=\\"index" + "_" + i + "." + "html\\">" '
        '+ (i+1) + "</a>");\n  }\n}\n</script>'
    )
    body = (
        '<div class="position">当前位置：<a href="../../">首页</a> &gt; '
        '<a href="../">信息公开</a> &gt; 信息公开年报</div>\n'
        f'<table class="list">\n{_count_page_rows(page.entries)}\n</table>\n'
        f'<div class="pager">{pager}</div>'
    )
    return html_page("信息公开年报", body, site)


def _count_page_paths(index: int) -> tuple[str, ...]:
    if index == 0:
        return (COUNT_PAGE_COLUMN, COUNT_PAGE_COLUMN + "index.html")
    return (f"{COUNT_PAGE_COLUMN}index_{index}.html",)


def _count_page_index(path: str, query: str) -> int | None:
    match = re.fullmatch(re.escape(COUNT_PAGE_COLUMN) + r"index_(\d+)\.html", path)
    return None if match is None else int(match[1])


def _count_page_doc(published: datetime, doc_id: int) -> str:
    return f"{COUNT_PAGE_COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.html"


COUNT_PAGE_LAYOUT = FamilyLayout(
    Navigation(
        home_paths=("/", "/index.html"),
        open_gov_paths=("/xxgk/", "/xxgk/index.html"),
        columns=[
            ("./xxgkzn/", "信息公开指南"),
            ("./xxgknb/", "信息公开年报"),
            ("./tzgg/", "通知公告"),
        ],
    ),
    ReportColumn(
        page_size=6,
        first_id=20431,
        document_path=_count_page_doc,
        href=lambda path: "./" + path.removeprefix(COUNT_PAGE_COLUMN),
        place_report=report_placer(catalogue=False),
        noise_page=noise_page,
        list_paths=_count_page_paths,
        list_page=_count_page_list,
        page_index=_count_page_index,
    ),
)

# -- query pager -----------------------------------------------------------------------------------

QUERY_COLUMN = "/channel/list.jsp"
QUERY_LIST = re.compile(r"^/channel/list\.jsp$")
QUERY_CHANNEL = "7"
QUERY_PARAMS = ("channelId", "pageNo")


def _query_href(number: int) -> str:
    return f"list.jsp?channelId={QUERY_CHANNEL}&pageNo={number}"


def _query_list(site: Site, page: ListPage) -> str:
    number, pages = page.index + 1, page.pages
    rows = "\n".join(
        f'<li><a href="{escape(e.href)}" target="_blank">{escape(e.title)}</a>'
        f"<span>{e.published:%Y-%m-%d}</span></li>"
        for e in page.entries
    )
    nav = [f"共{page.total}条 第{number}页/共{pages}页"]
    if number > 1:
        nav.append(f'<a href="{_query_href(1)}">首页</a>')
        nav.append(f'<a href="{_query_href(number - 1)}">上一页</a>')
    if number < pages:
        nav.append(f'<a href="{_query_href(number + 1)}">下一页</a>')
        nav.append(f'<a href="{_query_href(pages)}">尾页</a>')
    body = (
        '<div class="position">您的位置：<a href="/">首页</a> &gt; '
        '<a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>\n'
        f'<ul class="news-list">\n{rows}\n</ul>\n<div class="page">{" ".join(nav)}</div>'
    )
    return html_page("政府信息公开年报", body, site)


def _query_paths(index: int) -> tuple[str, ...]:
    first = f"{QUERY_COLUMN}?channelId={QUERY_CHANNEL}"
    if index == 0:
        return (first, f"{first}&pageNo=1")
    return (f"{first}&pageNo={index + 1}",)


def _query_index(path: str, query: str) -> int | None:
    numbers = [v for k, v in parse_qsl(query) if k == "pageNo" and v.isdigit()]
    return int(numbers[0]) - 1 if path == QUERY_COLUMN and numbers else None


QUERY_LAYOUT = FamilyLayout(
    Navigation(
        home_paths=("/", "/index.html"),
        open_gov_paths=("/zwgk/", "/zwgk/index.html"),
        columns=[
            ("/channel/list.jsp?channelId=5", "政府信息公开指南"),
            (f"/channel/list.jsp?channelId={QUERY_CHANNEL}", "政府信息公开年报"),
            ("/channel/list.jsp?channelId=9", "通知公告"),
        ],
    ),
    ReportColumn(
        page_size=5,
        first_id=5120,
        document_path=lambda published, doc_id: f"/art/{published:%Y}/art_{doc_id}.html",
        href=lambda path: path,
        place_report=report_placer(catalogue=False),
        noise_page=noise_page,
        list_paths=_query_paths,
        list_page=_query_list,
        page_index=_query_index,
    ),
)
