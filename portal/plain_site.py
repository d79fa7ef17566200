"""A plain hand-built portal (UTF-8) whose reports are attachments: PDF, DOCX and original TXT.

Its list pages are paged by ordinary 上一页/下一页 links; each detail page says little and links
its files under 附件. Seeds keep their original text as a `.txt` attachment, served byte for byte.
With the portal's extra formats (`portal.published_formats`) a report may instead be a scanned
PDF, a typed PDF whose tables are pictures, or a legacy .doc attachment, or a detail page showing
its scanned pages as PNG images (the page itself is then the report).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime
from functools import partial
from html import escape

from portal.content import NoiseItem, ReportSpec
from portal.file_render import render_docx, render_pdf
from portal.placement import Entry, FamilyLayout, ListPage, Navigation, ReportColumn
from portal.published_formats import legacy_doc, scan_page_count, scanned, table_pictures_pdf
from portal.sites import Placement, Site, html_page

COLUMN = "/zwgk/ndbg/"
_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
    "scan_pdf": "application/pdf",
    "pdf_table_pictures": "application/pdf",
    "doc": "application/msword",
}
# The file name extension of each attachment format.
_EXTENSIONS = {"scan_pdf": "pdf", "pdf_table_pictures": "pdf"}
# A page showing a report's tables as pictures, not an attachment.
IMAGE_PAGE = "scan_png"


def _page_name(index: int) -> str:
    return "index.html" if index == 0 else f"list_{index + 1}.html"


def _list_page(site: Site, page: ListPage) -> str:
    index, pages = page.index, page.pages
    items = "\n".join(
        f'<tr><td><a href="{escape(e.href)}">{escape(e.title)}'
        f"</a></td><td>{e.published:%Y-%m-%d}</td></tr>"
        for e in page.entries
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


def _list_paths(index: int) -> tuple[str, ...]:
    return (COLUMN, COLUMN + "index.html") if index == 0 else (COLUMN + _page_name(index),)


def _page_index(path: str, query: str) -> int | None:
    match = re.fullmatch(re.escape(COLUMN) + r"list_(\d+)\.html", path)
    return None if match is None else int(match[1]) - 1


def _attachment_path(spec: ReportSpec, fmt: str) -> str:
    digest = hashlib.sha1(f"{spec.agency}{spec.year}{fmt}".encode()).hexdigest()[:16]
    return f"/uploads/{spec.published:%Y%m}/{digest}.{_EXTENSIONS.get(fmt, fmt)}"


def _render(spec: ReportSpec, fmt: str) -> bytes:
    if fmt == "txt":
        assert spec.seed_text is not None
        return spec.seed_text
    if fmt == "scan_pdf":
        return scanned(spec)[0]
    if fmt == "pdf_table_pictures":
        return table_pictures_pdf(spec)
    if fmt == "doc":
        return legacy_doc(spec)
    return render_pdf(spec) if fmt == "pdf" else render_docx(spec)


def _image_path(spec: ReportSpec, page: int) -> str:
    return _attachment_path(spec, IMAGE_PAGE).removesuffix(f".{IMAGE_PAGE}") + f"_{page + 1}.png"


def _png(spec: ReportSpec, page: int) -> bytes:
    return scanned(spec)[1][page]


def _place_image_page(site: Site, spec: ReportSpec, detail: str) -> None:
    """The report as a detail page whose tables are its scanned pages, shown as PNG images."""
    pages = scan_page_count(spec)
    for page in range(pages):
        site.add(_image_path(spec, page), "image/png", spec.published, partial(_png, spec, page))
    images = "".join(
        f'<p style="text-align:center"><img src="{_image_path(spec, page)}" '
        f'alt="{escape(spec.title)}（{page + 1}）" width="800"></p>'
        for page in range(pages)
    )

    def render() -> str:
        prose = "".join(f"<p>{escape(line)}</p>" for line in spec.intro)
        after = "".join(f"<p>{escape(line)}</p>" for line in spec.outro)
        body = (
            f"<h2>{escape(spec.title)}</h2>\n<p>发布日期：{spec.published:%Y-%m-%d}</p>\n"
            f'<div class="content">{prose}{images}{after}</div>'
        )
        return html_page(spec.title, body, site)

    site.add_html(detail, spec.published, render)
    site.publish(detail, spec)


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


def _place_report(site: Site, placement: Placement, detail: str) -> None:
    """The report's files, each holding its tables, and a detail page linking them."""
    spec = placement.spec
    if placement.formats == (IMAGE_PAGE,):
        _place_image_page(site, spec, detail)
        return
    files: list[tuple[str, str]] = []
    for fmt in placement.formats:
        path = _attachment_path(spec, fmt)
        site.add(path, _TYPES[fmt], spec.published, partial(_render, spec, fmt))
        site.publish(path, spec)
        site.link(detail, path)
        files.append((path, f"{spec.title}.{_EXTENSIONS.get(fmt, fmt)}"))
    site.add_html(
        detail,
        spec.published,
        lambda: _detail_page(
            site, spec.title, spec.published, files, "现将本单位年度报告全文发布，详见附件。"
        ),
    )


def _noise_page(site: Site, item: NoiseItem) -> str:
    return _detail_page(site, item.title, item.published, [], item.body)


def _repeat(site: Site, entry: Entry) -> Entry:
    """Linked a second time as an absolute path with a fragment ("详见" links do this)."""
    return replace(entry, href=f"{entry.path}#attachments")


LAYOUT = FamilyLayout(
    Navigation(
        home_paths=("/", "/index.html"),
        open_gov_paths=("/zwgk/", "/zwgk/index.html"),
        columns=[
            ("/zwgk/zn/", "政府信息公开指南"),
            (COLUMN, "政府信息公开年度报告"),
            ("/zwgk/tzgg/", "通知公告"),
        ],
    ),
    ReportColumn(
        page_size=10,
        first_id=3101,
        document_path=lambda published, content_id: f"{COLUMN}content_{content_id}.html",
        href=lambda path: path.removeprefix(COLUMN),
        place_report=_place_report,
        noise_page=_noise_page,
        list_paths=_list_paths,
        list_page=_list_page,
        page_index=_page_index,
        repeat=_repeat,
        chained=True,
    ),
)
