"""The detail pages of the pager-style sites (`portal.pager_sites`, `portal.api_sites`).

The sites that model a pager or list API differ in how a column is listed, not in their articles:
one article page serves them all, with the 信息公开目录 metadata table (索引号, 发布机构, 生成日期)
that catalogue platforms put above the text when `catalogue` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from portal.content import NoiseItem
from portal.html_render import report_body
from portal.sites import Placement, Site, html_page


def index_number(published: datetime, doc_id: int) -> str:
    """A catalogue's 索引号: the publisher's code, the year and a serial (fictional code)."""
    return f"000000000/{published:%Y}-{doc_id:05d}"


def article(
    site: Site,
    title: str,
    published: datetime,
    publisher: str,
    body: str,
    catalogue_index: str | None = None,
) -> str:
    head = (
        f'<meta name="ArticleTitle" content="{escape(title)}">\n'
        f'<meta name="PubDate" content="{published:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{escape(publisher)}">'
    )
    table = ""
    if catalogue_index is not None:
        table = (
            '<table class="xxgk-meta">'
            f"<tr><th>索引号</th><td>{escape(catalogue_index)}</td>"
            "<th>主题分类</th><td>政务公开</td></tr>"
            f"<tr><th>发布机构</th><td>{escape(publisher)}</td>"
            f"<th>生成日期</th><td>{published:%Y-%m-%d}</td></tr>"
            f'<tr><th>名称</th><td colspan="3">{escape(title)}</td></tr></table>\n'
        )
    content = (
        f'<div class="article">{table}<h1>{escape(title)}</h1>\n'
        f'<div class="info">发布时间：{published:%Y-%m-%d}　来源：{escape(publisher)}</div>\n'
        f'<div class="content">\n{body}\n</div></div>'
    )
    return html_page(title, content, site, head=head)


def report_placer(catalogue: bool) -> Callable[[Site, Placement, str], None]:
    """A `ReportColumn.place_report`: the report as an article page, published as truth."""

    def place(site: Site, placement: Placement, path: str) -> None:
        spec = placement.spec
        serial = int("".join(ch for ch in path if ch.isdigit())[-5:] or 0)
        index = index_number(spec.published, serial) if catalogue else None
        site.add_html(
            path,
            spec.published,
            lambda: article(
                site, spec.title, spec.published, spec.agency, report_body(spec, False), index
            ),
        )
        site.publish(path, spec)

    return place


def noise_page(site: Site, item: NoiseItem) -> str:
    return article(site, item.title, item.published, site.agency, f"<p>{escape(item.body)}</p>")
