"""Placing a site's content, once for every CMS family: its navigation pages and its report column.

A family module describes its site as data and small functions — a `Navigation` (home page,
政务公开 page, guide) and a `ReportColumn` (where a document goes, how a report is placed and a list
page rendered, how a URL names a list page) — and `build` does what all families do alike: number
the documents in placement order, list them newest first, link the first report a second time
where the family does, cut the list into pages, record on which page a crawler finds each document,
and serve empty pages past the end under a calendar trap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from portal.content import NoiseItem
from portal.sites import (
    PORTAL_EPOCH,
    ROBOTS_TXT,
    Placement,
    Site,
    home_body,
    html_page,
    open_gov_body,
)


@dataclass(frozen=True)
class Entry:
    """One line of a list page: a document as the list links it."""

    title: str
    href: str  # the link as the list page writes it
    published: datetime
    path: str  # the document's path, which a crawler reaches through the link


@dataclass(frozen=True)
class ListPage:
    """What one list page shows and where it sits among the column's pages."""

    entries: list[Entry]
    index: int  # 0 for the first page
    pages: int  # how many pages its pager announces
    total: int  # how many entries the whole column lists
    first_report: Entry | None  # the first report placed (TRS pins it); None past the end


@dataclass(frozen=True)
class ReportColumn:
    """What a family decides about its 年报 column; `place_column` does the rest."""

    page_size: int
    first_id: int  # the CMS's id of the column's first document; the next ones count up
    document_path: Callable[[datetime, int], str]  # (published, id) -> the document's path
    href: Callable[[str], str]  # a document's path -> the link a list page writes for it
    place_report: Callable[[Site, Placement, str], None]  # add a report's page (and files), publish
    noise_page: Callable[[Site, NoiseItem], str]
    list_paths: Callable[[int], tuple[str, ...]]  # page index -> its paths, canonical first
    list_page: Callable[[Site, ListPage], str]
    page_index: Callable[[str, str], int | None]  # (path, query) -> the list page index it names
    # The first report linked again right after itself, under another spelling of its URL.
    repeat: Callable[[Site, Entry], Entry] | None = None
    # True where a page is linked only from the previous page's 下一页 (no pager lists them all).
    chained: bool = False
    # Registers the column's list API on the site, given every entry newest first (sites whose
    # later records come from a script's call); `list_paths` is then () past the static pages.
    endpoints: Callable[[Site, list[Entry]], None] | None = None


@dataclass(frozen=True)
class Navigation:
    """The pages that lead to the report column."""

    home_paths: tuple[str, ...]
    open_gov_paths: tuple[str, ...]  # the 政务公开 page; the home page links the first
    columns: list[tuple[str, str]]  # (href, text) of the columns the 政务公开 page lists
    guide: tuple[str, str] | None = None  # (path, body) of the 政府信息公开指南 page, if served


@dataclass(frozen=True)
class FamilyLayout:
    """A CMS family's site as data: its navigation and its report column."""

    navigation: Navigation
    column: ReportColumn


def build(
    site: Site, layout: FamilyLayout, placements: list[Placement], noise: list[NoiseItem]
) -> None:
    """Fill `site` with its family's pages, the reports in `placements` and the `noise` items."""
    add_navigation(site, layout.navigation)
    place_column(site, layout.column, placements, noise)


def add_navigation(site: Site, navigation: Navigation) -> None:
    site.add("/robots.txt", "text/plain; charset=utf-8", PORTAL_EPOCH, lambda: ROBOTS_TXT)
    admin_form = "<form><input name=user><input name=pwd type=password></form>"
    site.add_html(
        "/admin/index.htm", PORTAL_EPOCH, lambda: html_page("后台管理登录", admin_form, site)
    )
    open_gov = navigation.open_gov_paths[0]
    site.add_html(
        navigation.home_paths,
        PORTAL_EPOCH,
        lambda: html_page("首页", home_body(site, open_gov), site),
    )
    site.add_html(
        navigation.open_gov_paths,
        PORTAL_EPOCH,
        lambda: html_page("政务公开", open_gov_body(navigation.columns), site),
    )
    if navigation.guide is not None:
        path, body = navigation.guide
        site.add_html(path, PORTAL_EPOCH, lambda: html_page("政府信息公开指南", body, site))


def place_column(
    site: Site, column: ReportColumn, placements: list[Placement], noise: list[NoiseItem]
) -> None:
    """Publish the reports and noise items as documents, and list them on paginated list pages."""
    entries: list[Entry] = []
    for doc_id, placement in enumerate(placements, column.first_id):
        spec = placement.spec
        path = column.document_path(spec.published, doc_id)
        column.place_report(site, placement, path)
        entries.append(Entry(spec.title, column.href(path), spec.published, path))
    for doc_id, item in enumerate(noise, column.first_id + len(placements)):
        path = column.document_path(item.published, doc_id)
        site.add_html(path, item.published, partial(column.noise_page, site, item))
        entries.append(Entry(item.title, column.href(path), item.published, path))
    first_report = entries[0] if placements else None
    # Newest first, as the CMSs list; the sort is stable, so equal dates keep placement order.
    entries.sort(key=lambda e: e.published, reverse=True)
    if first_report is not None and column.repeat is not None:
        entries.insert(entries.index(first_report) + 1, column.repeat(site, first_report))
    pages = _chunk(entries, column.page_size)
    announced = site.announced_pages(len(pages))
    for index, page_entries in enumerate(pages):
        paths = column.list_paths(index)
        # A page served only through the list API is found from the column's first page.
        finding = paths[0] if paths else column.list_paths(0)[0]
        if index and paths:  # announced by the first page's pager, or only by the previous 下一页
            site.link(column.list_paths(index - 1 if column.chained else 0)[0], paths[0])
        for entry in page_entries:
            site.link(finding, entry.path)
        page = ListPage(page_entries, index, announced, len(entries), first_report)
        site.add_html(paths, PORTAL_EPOCH, partial(column.list_page, site, page))
    if column.endpoints is not None:
        column.endpoints(site, entries)

    def past_the_end(path: str, query: str) -> str | None:
        """An empty list page past the last one whose pager announces one more (a calendar trap)."""
        index = column.page_index(path, query)
        if index is None or index < len(pages):
            return None
        return column.list_page(site, ListPage([], index, index + 2, len(entries), None))

    site.trap_page = past_the_end


def _chunk(items: list[Entry], size: int) -> list[list[Entry]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]
