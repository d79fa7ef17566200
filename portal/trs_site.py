"""A TRS WCM-style portal (UTF-8): lists paged by `createPageHTML(...)`, `tYYYYMMDD_ID.htm` pages.

As on real TRS sites the list's pagination is not links but a script call, list titles are cut
short with the full title in the link's `title` attribute, articles carry `ArticleTitle`/`PubDate`
meta tags and their body sits in `div.TRS_Editor`, with the tables pasted from Word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import escape

from portal.content import NoiseItem
from portal.html_render import report_body
from portal.sites import (
    PORTAL_EPOCH,
    Placement,
    Site,
    add_common,
    chunk,
    home_body,
    html_page,
    open_gov_body,
)

COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
PAGE_SIZE = 20
FIRST_DOC_ID = 80595
_PAGER_SCRIPT = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("首页&nbsp;上一页&nbsp;");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
  if(nCurrIndex+1 < _nPageCount)
    document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a>");
}
</script>"""


@dataclass(frozen=True)
class _Entry:
    title: str
    href: str  # relative to the column, as TRS writes it
    published: datetime


def _doc_path(published: datetime, doc_id: int) -> str:
    return f"{COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.htm"


def _list_item(entry: _Entry) -> str:
    shown = entry.title if len(entry.title) <= 26 else entry.title[:26] + "..."
    return (
        f'<li><a href="{escape(entry.href)}" title="{escape(entry.title)}" target="_blank">'
        f"{escape(shown)}</a><span>{entry.published:%Y-%m-%d}</span></li>"
    )


def _list_page(
    site: Site, entries: list[_Entry], index: int, pages: int, pinned: _Entry | None
) -> str:
    items = "\n".join(_list_item(e) for e in entries)
    # The pinned report is linked again on every page, under another spelling of its URL.
    pin = ""
    if pinned is not None:
        pin = (
            f'<div class="zd"><span>置顶</span><a href="../zfxxgknb/{pinned.href[2:]}#content" '
            f'title="{escape(pinned.title)}">{escape(pinned.title)}</a></div>'
        )
    body = (
        '<div class="position">当前位置：<a href="../../../">首页'
        '</a> &gt; <a href="../../">政务公开</a>'
        " &gt; 政府信息公开年报</div>\n"
        f'{pin}\n<ul class="list">\n{items}\n</ul>\n'
        '<div class="page"><script type="text/javascript">'
        f'createPageHTML({pages}, {index}, "index", "htm");'
        "</script></div>"
    )
    return html_page("政府信息公开年报", body, site, head=_PAGER_SCRIPT)


def _trap_page(site: Site, path: str, pages: int) -> str | None:
    """An empty list page past the last one whose pager announces one more (the calendar trap)."""
    match = re.fullmatch(re.escape(COLUMN) + r"index_(\d+)\.htm", path)
    if match is None or int(match[1]) < pages:
        return None
    index = int(match[1])
    return _list_page(site, [], index, index + 2, None)


def _article(site: Site, title: str, published: datetime, source: str, body: str) -> str:
    head = (
        f'<meta name="ArticleTitle" content="{escape(title)}">\n'
        f'<meta name="PubDate" content="{published:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{escape(source)}">\n'
        '<meta name="ColumnName" content="政府信息公开年报">'
    )
    content = (
        f'<div class="article"><h1>{escape(title)}</h1>\n'
        f'<div class="info">发布时间：{published:%Y-%m-%d %H:%M}　来源：{escape(source)}</div>\n'
        f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{body}\n</div></div></div>'
    )
    return html_page(title, content, site, head=head)


def build(site: Site, placements: list[Placement], noise: list[NoiseItem]) -> None:
    add_common(site)
    site.add_html(
        ("/", "/index.htm"),
        PORTAL_EPOCH,
        lambda: html_page("首页", home_body(site, "/zwgk/"), site),
    )
    columns = [
        ("./zfxxgk/zfxxgkzn/", "政府信息公开指南"),
        ("./zfxxgk/zfxxgkzd/", "政府信息公开制度"),
        ("./zfxxgk/fdzdgknr/", "法定主动公开内容"),
        ("./zfxxgk/zfxxgknb/", "政府信息公开年报"),
    ]
    site.add_html(
        ("/zwgk/", "/zwgk/index.htm"),
        PORTAL_EPOCH,
        lambda: html_page("政务公开", open_gov_body(columns), site),
    )
    entries: list[_Entry] = []
    doc_id = FIRST_DOC_ID
    for placement in placements:
        spec = placement.spec
        path = _doc_path(spec.published, doc_id)
        doc_id += 1
        site.add_html(
            path,
            spec.published,
            lambda spec=spec: _article(
                site, spec.title, spec.published, spec.agency, report_body(spec, True)
            ),
        )
        site.publish(path, spec)
        entries.append(_Entry(spec.title, "./" + path[len(COLUMN) :], spec.published))
    for item in noise:
        path = _doc_path(item.published, doc_id)
        doc_id += 1
        site.add_html(
            path,
            item.published,
            lambda item=item: _article(
                site, item.title, item.published, site.agency, f"<p>{escape(item.body)}</p>"
            ),
        )
        entries.append(_Entry(item.title, "./" + path[len(COLUMN) :], item.published))
    pinned = entries[0] if placements else None
    entries.sort(key=lambda e: e.published, reverse=True)
    pages = chunk(entries, PAGE_SIZE)
    announced = site.announced_pages(len(pages))
    for index, page_entries in enumerate(pages):
        name = "index.htm" if index == 0 else f"index_{index}.htm"
        paths = (COLUMN, COLUMN + name) if index == 0 else COLUMN + name
        page = COLUMN if index == 0 else COLUMN + name
        if index:  # every page is announced by the first page's pager call
            site.link(COLUMN, page)
        for entry in page_entries:
            site.link(page, COLUMN + entry.href.removeprefix("./"))
        site.add_html(
            paths,
            PORTAL_EPOCH,
            lambda e=page_entries, i=index: _list_page(site, e, i, announced, pinned),
        )
    site.trap_page = lambda path, query: _trap_page(site, path, len(pages))
    guide = "/zwgk/zfxxgk/zfxxgkzn/"
    site.add_html(
        guide, PORTAL_EPOCH, lambda: html_page("政府信息公开指南", "<p>政府信息公开指南</p>", site)
    )
