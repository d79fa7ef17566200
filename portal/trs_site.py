"""A TRS WCM-style portal (UTF-8): lists paged by `createPageHTML(...)`, `tYYYYMMDD_ID.htm` pages.

As on real TRS sites the list's pagination is not links but a script call, list titles are cut
short with the full title in the link's `title` attribute, articles carry `ArticleTitle`/`PubDate`
meta tags and their body sits in `div.TRS_Editor`, with the tables pasted from Word.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from portal.content import NoiseItem
from portal.html_render import report_body
from portal.placement import Entry, FamilyLayout, ListPage, Navigation, ReportColumn
from portal.sites import Placement, Site, html_page

COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
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


def _doc_path(published: datetime, doc_id: int) -> str:
    return f"{COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.htm"


def _list_item(entry: Entry) -> str:
    shown = entry.title if len(entry.title) <= 26 else entry.title[:26] + "..."
    return (
        f'<li><a href="{escape(entry.href)}" title="{escape(entry.title)}" target="_blank">'
        f"{escape(shown)}</a><span>{entry.published:%Y-%m-%d}</span></li>"
    )


def _list_page(site: Site, page: ListPage) -> str:
    items = "\n".join(_list_item(e) for e in page.entries)
    # The first report is linked again on every page, pinned, under another spelling of its URL.
    pin = ""
    if (pinned := page.first_report) is not None:
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
        f'createPageHTML({page.pages}, {page.index}, "index", "htm");'
        "</script></div>"
    )
    return html_page("政府信息公开年报", body, site, head=_PAGER_SCRIPT)


def _list_paths(index: int) -> tuple[str, ...]:
    return (COLUMN, COLUMN + "index.htm") if index == 0 else (f"{COLUMN}index_{index}.htm",)


def _page_index(path: str, query: str) -> int | None:
    match = re.fullmatch(re.escape(COLUMN) + r"index_(\d+)\.htm", path)
    return None if match is None else int(match[1])


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


def _place_report(site: Site, placement: Placement, path: str) -> None:
    spec = placement.spec
    site.add_html(
        path,
        spec.published,
        lambda: _article(site, spec.title, spec.published, spec.agency, report_body(spec, True)),
    )
    site.publish(path, spec)


def _noise_page(site: Site, item: NoiseItem) -> str:
    return _article(site, item.title, item.published, site.agency, f"<p>{escape(item.body)}</p>")


LAYOUT = FamilyLayout(
    Navigation(
        home_paths=("/", "/index.htm"),
        open_gov_paths=("/zwgk/", "/zwgk/index.htm"),
        columns=[
            ("./zfxxgk/zfxxgkzn/", "政府信息公开指南"),
            ("./zfxxgk/zfxxgkzd/", "政府信息公开制度"),
            ("./zfxxgk/fdzdgknr/", "法定主动公开内容"),
            ("./zfxxgk/zfxxgknb/", "政府信息公开年报"),
        ],
        guide=("/zwgk/zfxxgk/zfxxgkzn/", "<p>政府信息公开指南</p>"),
    ),
    ReportColumn(
        page_size=20,
        first_id=80595,
        document_path=_doc_path,
        href=lambda path: "./" + path.removeprefix(COLUMN),
        place_report=_place_report,
        noise_page=_noise_page,
        list_paths=_list_paths,
        list_page=_list_page,
        page_index=_page_index,
    ),
)
