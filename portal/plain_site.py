"""A plain hand-built portal (UTF-8) whose reports are attachments: PDF, DOCX and original TXT.

Its list pages are paged by ordinary 上一页/下一页 links; each detail page says little and links
its files under 附件. Seeds keep their original text as a `.txt` attachment, served byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape

from portal.content import NoiseItem, ReportSpec
from portal.file_render import render_docx, render_pdf
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

COLUMN = "/zwgk/ndbg/"
PAGE_SIZE = 10
FIRST_CONTENT_ID = 3101
_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class _Entry:
    title: str
    href: str
    published: datetime


def _page_name(index: int) -> str:
    return "index.html" if index == 0 else f"list_{index + 1}.html"


def _list_page(site: Site, entries: list[_Entry], index: int, pages: int) -> str:
    items = "\n".join(
        f'<tr><td><a href="{escape(e.href)}">{escape(e.title)}'
        f"</a></td><td>{e.published:%Y-%m-%d}</td></tr>"
        for e in entries
    )
    nav = [f"第{index + 1}页/共{pages}页"]
    if index > 0:
        nav.append(f'<a href="{_page_name(index - 1)}">上一页</a>')
    if index + 1 < pages:
        nav.append(f'<a href="{_page_name(index + 1)}">下一页</a>')
    body = (
        '<p>您的位置：<a href="/">首页</a> » <a href="/zwgk/">政务公开'
        "</a> » 政府信息公开年度报告</p>\n"
        f'<table class="list">\n{items}\n</table>\n<p class="pager">{" ".join(nav)}</p>'
    )
    return html_page("政府信息公开年度报告", body, site)


def _trap_page(site: Site, path: str, pages: int) -> str | None:
    """An empty list page past the last one, linking 下一页 to the next (the calendar trap)."""
    match = re.fullmatch(re.escape(COLUMN) + r"list_(\d+)\.html", path)
    if match is None or int(match[1]) - 1 < pages:
        return None
    index = int(match[1]) - 1
    return _list_page(site, [], index, index + 2)


def _attachment_path(spec: ReportSpec, fmt: str) -> str:
    digest = hashlib.sha1(f"{spec.agency}{spec.year}{fmt}".encode()).hexdigest()[:16]
    return f"/uploads/{spec.published:%Y%m}/{digest}.{fmt}"


def _render(spec: ReportSpec, fmt: str) -> bytes:
    if fmt == "txt":
        assert spec.seed_text is not None
        return spec.seed_text
    return render_pdf(spec) if fmt == "pdf" else render_docx(spec)


def _detail_page(
    site: Site, title: str, published: datetime, files: list[tuple[str, str]], text: str
) -> str:
    links = "".join(f'<li><a href="{escape(href)}">{escape(name)}</a></li>' for href, name in files)
    attachments = f'<p>附件：</p><ul class="attachments">{links}</ul>' if files else ""
    body = (
        f"<h2>{escape(title)}</h2>\n<p>发布日期：{published:%Y-%m-%d}</p>\n"
        f'<div class="content"><p>{escape(text)}</p>{attachments}</div>'
    )
    return html_page(title, body, site)


def build(site: Site, placements: list[Placement], noise: list[NoiseItem]) -> None:
    add_common(site)
    site.add_html(
        ("/", "/index.html"),
        PORTAL_EPOCH,
        lambda: html_page("首页", home_body(site, "/zwgk/"), site),
    )
    columns = [
        ("/zwgk/zn/", "政府信息公开指南"),
        (COLUMN, "政府信息公开年度报告"),
        ("/zwgk/tzgg/", "通知公告"),
    ]
    site.add_html(
        ("/zwgk/", "/zwgk/index.html"),
        PORTAL_EPOCH,
        lambda: html_page("政务公开", open_gov_body(columns), site),
    )
    entries: list[_Entry] = []
    content_id = FIRST_CONTENT_ID
    for placement in placements:
        spec = placement.spec
        files: list[tuple[str, str]] = []
        for fmt in placement.formats:
            path = _attachment_path(spec, fmt)
            site.add(
                path, _TYPES[fmt], spec.published, lambda spec=spec, fmt=fmt: _render(spec, fmt)
            )
            site.publish(path, spec)
            files.append((path, f"{spec.title}.{fmt}"))
        detail = f"{COLUMN}content_{content_id}.html"
        for path, _ in files:
            site.link(detail, path)
        content_id += 1
        site.add_html(
            detail,
            spec.published,
            lambda spec=spec, files=files: _detail_page(
                site, spec.title, spec.published, files, "现将本单位年度报告全文发布，详见附件。"
            ),
        )
        entries.append(_Entry(spec.title, detail.removeprefix(COLUMN), spec.published))
    for item in noise:
        detail = f"{COLUMN}content_{content_id}.html"
        content_id += 1
        site.add_html(
            detail,
            item.published,
            lambda item=item: _detail_page(site, item.title, item.published, [], item.body),
        )
        entries.append(_Entry(item.title, detail.removeprefix(COLUMN), item.published))
    duplicate = entries[0] if placements else None
    entries.sort(key=lambda e: e.published, reverse=True)
    if duplicate is not None:
        # Linked a second time as an absolute path with a fragment ("详见" links do this).
        again = _Entry(
            duplicate.title, f"{COLUMN}{duplicate.href}#attachments", duplicate.published
        )
        entries.insert(entries.index(duplicate) + 1, again)
    pages = chunk(entries, PAGE_SIZE)
    announced = site.announced_pages(len(pages))
    for index, page_entries in enumerate(pages):
        paths = (COLUMN, COLUMN + "index.html") if index == 0 else COLUMN + _page_name(index)
        page = COLUMN if index == 0 else COLUMN + _page_name(index)
        if index:  # reached by the previous page's 下一页 link
            site.link(COLUMN if index == 1 else COLUMN + _page_name(index - 1), page)
        for entry in page_entries:
            site.link(page, COLUMN + entry.href)
        site.add_html(
            paths, PORTAL_EPOCH, lambda e=page_entries, i=index: _list_page(site, e, i, announced)
        )
    site.trap_page = lambda path, query: _trap_page(site, path, len(pages))
