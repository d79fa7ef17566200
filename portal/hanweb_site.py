"""A Hanweb JCMS-style portal served in GBK.

Columns are `/col/colNNN/index.html?uid=…&pageNum=N`, articles `/art/Y/M/D/art_C_ID.html`.

Like real JCMS sites, a column's records sit in a `<script type="text/xml">` datastore as CDATA
(so they are not plain anchors of the page), pages are GBK with a `gb2312` meta tag, and one
article declares `utf-8` in its meta tag while the server (rightly) says GBK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import parse_qsl

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

COLUMN_ID = 123
COLUMN = f"/col/col{COLUMN_ID}/index.html"
UID = "4567"
PAGE_SIZE = 15
FIRST_ART_ID = 456
LYING_META_SEED = "002_f8b9c33d63190000"  # this article's meta says utf-8; the body is GBK


@dataclass(frozen=True)
class _Entry:
    title: str
    href: str
    published: datetime


def _art_path(published: datetime, art_id: int) -> str:
    return f"/art/{published.year}/{published.month}/{published.day}/art_{COLUMN_ID}_{art_id}.html"


def _page_href(number: int) -> str:
    return f"{COLUMN}?uid={UID}&pageNum={number}"


def _list_page(site: Site, entries: list[_Entry], number: int, pages: int, total: int) -> str:
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{escape(e.href)}" '
        f'title="{escape(e.title)}" target="_blank">'
        f'{escape(e.title)}</a><span class="bt_time">{e.published:%Y-%m-%d}</span></li>]]></record>'
        for e in entries
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


def _trap_page(site: Site, path: str, query: str, pages: int, total: int) -> str | None:
    """An empty column page past the last one announcing one more page (the calendar trap)."""
    numbers = [v for k, v in parse_qsl(query) if k == "pageNum" and v.isdigit()]
    if path != COLUMN or not numbers or int(numbers[0]) <= pages:
        return None
    number = int(numbers[0])
    return _list_page(site, [], number, number + 1, total)


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


def build(site: Site, placements: list[Placement], noise: list[NoiseItem]) -> None:
    add_common(site)
    open_gov = "/col/col100/index.html"
    site.add_html(
        ("/", "/index.html"),
        PORTAL_EPOCH,
        lambda: html_page("首页", home_body(site, open_gov), site),
    )
    columns = [
        ("/col/col101/index.html", "政府信息公开指南"),
        ("/col/col102/index.html", "政府信息公开制度"),
        (COLUMN, "政府信息公开年报"),
        ("/col/col104/index.html", "政策解读"),
    ]
    site.add_html(
        open_gov, PORTAL_EPOCH, lambda: html_page("政务公开", open_gov_body(columns), site)
    )
    site.add_html(
        "/col/col101/index.html",
        PORTAL_EPOCH,
        lambda: html_page("政府信息公开指南", "<p>指南</p>", site),
    )
    entries: list[_Entry] = []
    art_id = FIRST_ART_ID
    for placement in placements:
        spec = placement.spec
        path = _art_path(spec.published, art_id)
        art_id += 1
        meta = "utf-8" if spec.seed_name == LYING_META_SEED else "gb2312"
        site.add_html(
            path,
            spec.published,
            lambda spec=spec, meta=meta: _article(
                site, spec.title, spec.published, spec.agency, report_body(spec, False), meta
            ),
        )
        site.publish(path, spec)
        entries.append(_Entry(spec.title, path, spec.published))
    for item in noise:
        path = _art_path(item.published, art_id)
        art_id += 1
        site.add_html(
            path,
            item.published,
            lambda item=item: _article(
                site,
                item.title,
                item.published,
                site.agency,
                f"<p>{escape(item.body)}</p>",
                "gb2312",
            ),
        )
        entries.append(_Entry(item.title, path, item.published))
    duplicate = entries[0] if placements else None
    entries.sort(key=lambda e: e.published, reverse=True)
    if duplicate is not None:
        # The same article again under a scheme-relative URL with a sharing parameter, as
        # "related reading" blocks write it.
        host = site.base_url.split("://", 1)[1]
        again = _Entry(
            duplicate.title, f"//{host}{duplicate.href}?utm_source=wechat", duplicate.published
        )
        entries.insert(entries.index(duplicate) + 1, again)
    pages = chunk(entries, PAGE_SIZE)
    announced = site.announced_pages(len(pages))
    for index, page_entries in enumerate(pages):
        number = index + 1
        paths = (COLUMN, f"{COLUMN}?pageNum=1") if number == 1 else f"{COLUMN}?pageNum={number}"
        page = COLUMN if number == 1 else f"{COLUMN}?pageNum={number}"
        if number > 1:  # every page is announced by the first page's datastore
            site.link(COLUMN, page)
        for entry in page_entries:
            site.link(page, entry.href)
        site.add_html(
            paths,
            PORTAL_EPOCH,
            lambda e=page_entries, n=number: _list_page(site, e, n, announced, len(entries)),
        )
    site.trap_page = lambda path, query: _trap_page(site, path, query, len(pages), len(entries))
