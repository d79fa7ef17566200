"""A Hanweb JCMS-style portal served in GBK.

Columns are `/col/colNNN/index.html?uid=…&pageNum=N`, articles `/art/Y/M/D/art_C_ID.html`.

Like real JCMS sites, a column's records sit in a `<script type="text/xml">` datastore as CDATA
(so they are not plain anchors of the page), pages are GBK with a `gb2312` meta tag, and one
article declares `utf-8` in its meta tag while the server (rightly) says GBK.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from html import escape
from urllib.parse import parse_qsl

from portal.content import NoiseItem
from portal.html_render import report_body
from portal.placement import Entry, FamilyLayout, ListPage, Navigation, ReportColumn
from portal.sites import Placement, Site, html_page

COLUMN_ID = 123
COLUMN = f"/col/col{COLUMN_ID}/index.html"
UID = "4567"
LYING_META_SEED = "002_f8b9c33d63190000"  # this article's meta says utf-8; the body is GBK


def _art_path(published: datetime, art_id: int) -> str:
    return f"/art/{published.year}/{published.month}/{published.day}/art_{COLUMN_ID}_{art_id}.html"


def _page_href(number: int) -> str:
    return f"{COLUMN}?uid={UID}&pageNum={number}"


def _list_page(site: Site, page: ListPage) -> str:
    number, pages, total = page.index + 1, page.pages, page.total
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{escape(e.href)}" '
        f'title="{escape(e.title)}" target="_blank">'
        f'{escape(e.title)}</a><span class="bt_time">{e.published:%Y-%m-%d}</span></li>]]></record>'
        for e in page.entries
    )
    nav = [f"共{pages}页 {total}条"]
    if number > 1:
        nav.append(
            f'<a href="{_page_href(1)}">首页</a> <a href="{_page_href(number - 1)}">上一页</a>'
        )
    if number < pages:
        nav.append(
            f'<a href="{_page_href(number + 1)}">下一页</a> <a href="{_page_href(pages)}">尾页</a>'
        )
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/col/col100/index.html">政务公开</a>'
        " &gt; 政府信息公开年报</div>\n"
        f'<div id="{UID}"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>'
        f"<recordset>\n{records}\n</recordset><totalrecord>{total}</totalrecord>"
        f"<totalpage>{pages}</totalpage></datastore></script></div>\n"
        f'<div class="default_pgContainer">{" ".join(nav)}</div>'
    )
    return html_page("政府信息公开年报", body, site, meta_charset="gb2312")


def _list_paths(index: int) -> tuple[str, ...]:
    return (COLUMN, f"{COLUMN}?pageNum=1") if index == 0 else (f"{COLUMN}?pageNum={index + 1}",)


def _page_index(path: str, query: str) -> int | None:
    numbers = [v for k, v in parse_qsl(query) if k == "pageNum" and v.isdigit()]
    return int(numbers[0]) - 1 if path == COLUMN and numbers else None


def _article(
    site: Site, title: str, published: datetime, source: str, body: str, meta_charset: str
) -> str:
    head = (
        f'<meta name="ArticleTitle" content="{escape(title)}">\n'
        f'<meta name="PubDate" content="{published:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{escape(source)}">'
    )
    content = (
        f'<div class="main-txt"><h1 class="title">{escape(title)}</h1>\n'
        f'<div class="info">发布日期：{published:%Y-%m-%d}　信息来源：{escape(source)}</div>\n'
        f'<div id="zoom">\n{body}\n</div></div>'
    )
    return html_page(title, content, site, head=head, meta_charset=meta_charset)


def _place_report(site: Site, placement: Placement, path: str) -> None:
    spec = placement.spec
    meta = "utf-8" if spec.seed_name == LYING_META_SEED else "gb2312"
    site.add_html(
        path,
        spec.published,
        lambda: _article(
            site, spec.title, spec.published, spec.agency, report_body(spec, False), meta
        ),
    )
    site.publish(path, spec)


def _noise_page(site: Site, item: NoiseItem) -> str:
    body = f"<p>{escape(item.body)}</p>"
    return _article(site, item.title, item.published, site.agency, body, "gb2312")


def _repeat(site: Site, entry: Entry) -> Entry:
    """The same article under a scheme-relative URL with a sharing parameter, as "related
    reading" blocks write it."""
    host = site.base_url.split("://", 1)[1]
    return replace(entry, href=f"//{host}{entry.path}?utm_source=wechat")


LAYOUT = FamilyLayout(
    Navigation(
        home_paths=("/", "/index.html"),
        open_gov_paths=("/col/col100/index.html",),
        columns=[
            ("/col/col101/index.html", "政府信息公开指南"),
            ("/col/col102/index.html", "政府信息公开制度"),
            (COLUMN, "政府信息公开年报"),
            ("/col/col104/index.html", "政策解读"),
        ],
        guide=("/col/col101/index.html", "<p>指南</p>"),
    ),
    ReportColumn(
        page_size=15,
        first_id=456,
        document_path=_art_path,
        href=lambda path: path,
        place_report=_place_report,
        noise_page=_noise_page,
        list_paths=_list_paths,
        list_page=_list_page,
        page_index=_page_index,
        repeat=_repeat,
    ),
)
