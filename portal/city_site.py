"""A city portal whose 年报 column is an index of sub-columns: the city's own reports, one column per
department (市直部门年报) and one per district (县区年报), as real city portals publish them.

    with CityPortal(seed=3) as portal:
        portal.write_sources("city.yaml")     # one source: the city government's portal
        portal.truth                          # document URL -> the agency that published it

The column page links its sub-columns by name; 市直部门年报 links each department's own column by
the department's name, each paged by 下一页. Reports are credited three ways, as real ones are:
the agency in the title; a title without it and the agency in the page's 索引号/发布机构 table;
and the agency only in the signature at the end. Every name is fictional (示例).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from html import escape
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from crawler.sources import Source, dump_sources
from portal.content import ReportSpec
from portal.html_render import report_body
from portal.server import STOP_POLL_SECONDS, _Handler
from portal.sites import PORTAL_EPOCH, Site, home_body, html_page, open_gov_body
from portal.synthetic import generate

CITY = "示例市人民政府（示例）"
COLUMN = "/zwgk/ndbg/"
# The agencies whose columns 市直部门年报 and 县区年报 index, and where each column is: the
# departments' below the 年报 column, the district's a sibling column elsewhere on the portal
# (as Hanweb numbers its columns /col/colNNN/).
DEPARTMENTS = (
    ("示例市民政局（示例）", f"{COLUMN}szbm/mzj/"),
    ("示例市教育局（示例）", f"{COLUMN}szbm/jyj/"),
    ("示例市财政局（示例）", f"{COLUMN}szbm/czj/"),
)
DISTRICTS = (("示例市示例一区人民政府（示例）", "/col/col9001/"),)
PAGE_SIZE = 2  # small pages, so a department's column has a second page
REPORTS_PER_AGENCY = 4
# How each report names its agency: in the title, in the 发布机构 table, in the signature only.
CREDITS = ("title", "table", "signature")


@dataclass(frozen=True)
class CityReport:
    """What a report page publishes: the agency it names, and the portal it sits on."""

    agency: str
    year: int
    credit: str  # title, table or signature


def _specs(agency: str, rng: random.Random) -> list[ReportSpec]:
    """REPORTS_PER_AGENCY reports of `agency` (years apart), numbers from the synthetic generator."""
    specs = []
    for spec in generate(REPORTS_PER_AGENCY, seed=rng.randint(0, 10_000)):
        specs.append(
            replace(
                spec,
                agency=agency,
                title=f"{agency}{spec.year}年政府信息公开工作年度报告",
                intro=[line.replace(spec.agency, agency) for line in spec.intro],
            )
        )
    return sorted(specs, key=lambda spec: spec.year, reverse=True)


def _unnamed(text: str, agency: str) -> str:
    return text.replace(agency, "本机关")


def _report_page(site: Site, spec: ReportSpec, credit: str, index_number: str) -> str:
    """A detail page naming its agency as `credit` says, and nowhere else."""
    title = spec.title if credit == "title" else f"{spec.year}年政府信息公开工作年度报告"
    table = (
        '<table class="xxgk"><tr><td>索引号：</td>'
        f"<td>{escape(index_number)}</td><td>主题分类：</td><td>综合政务</td></tr>"
        f"<tr><td>发布机构：</td><td>{escape(spec.agency)}</td><td>成文日期：</td>"
        f"<td>{spec.published:%Y-%m-%d}</td></tr></table>"
        if credit == "table"
        else ""
    )
    body_spec = replace(
        spec,
        intro=[_unnamed(line, spec.agency) for line in spec.intro],
        outro=[_unnamed(line, spec.agency) for line in spec.outro],
    )
    signature = (
        f'<p class="signature">{escape(spec.agency)}</p><p>{spec.published:%Y年%-m月%-d日}</p>'
        if credit == "signature"
        else ""
    )
    body = (
        f"{table}<h2>{escape(title)}</h2>\n"
        f'<div class="content">{report_body(body_spec, word_style=False)}{signature}</div>'
    )
    return html_page(title, body, site)


def _list_name(index: int) -> str:
    return "index.html" if index == 0 else f"list_{index + 1}.html"


def _index_page(site: Site, title: str, links: list[tuple[str, str]]) -> str:
    """A column page that only names its sub-columns."""
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
    body = (
        '<p>您的位置：<a href="/">首页</a> » <a href="/zwgk/">政务公开</a> » '
        f'{escape(title)}</p>\n<ul class="subcolumns">{items}</ul>'
    )
    return html_page(title, body, site)


def _list_page(
    site: Site, title: str, entries: list[tuple[str, str]], index: int, pages: int
) -> str:
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in entries)
    nav = [f"第{index + 1}页/共{pages}页"]
    if index + 1 < pages:
        nav.append(f'<a href="{_list_name(index + 1)}">下一页</a>')
    body = (
        f'<p>您的位置：<a href="/">首页</a> » <a href="{COLUMN}">政府信息公开年度报告</a> » '
        f'{escape(title)}</p>\n<ul class="list">{items}</ul>\n<p class="pager">{" ".join(nav)}</p>'
    )
    return html_page(title, body, site)


class CityPortal:
    """One city portal on a loopback port, and the agency each of its reports names."""

    def __init__(self, seed: int = 0, host: str = "127.0.0.1") -> None:
        self.seed = seed
        self.host = host
        self.site: Site | None = None
        self.truth: dict[str, CityReport] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _column(self, site: Site, path: str, name: str, agency: str, rng: random.Random) -> None:
        """One agency's own column: its reports, PAGE_SIZE a page, credited in turn."""
        entries = []
        for number, spec in enumerate(_specs(agency, rng)):
            credit = CREDITS[(number + len(self.truth)) % len(CREDITS)]
            doc = f"{path}content_{len(self.truth) + 1}.html"
            index_number = f"000014349/{spec.year + 1}-{len(self.truth) + 1:05d}"
            site.add_html(
                doc,
                spec.published,
                lambda spec=spec, credit=credit, n=index_number: _report_page(
                    site, spec, credit, n
                ),
            )
            self.truth[site.url(doc)] = CityReport(agency, spec.year, credit)
            shown = spec.title if credit == "title" else f"{spec.year}年政府信息公开工作年度报告"
            entries.append((doc, shown))
        pages = -(-len(entries) // PAGE_SIZE)
        for index in range(pages):
            chunk = entries[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
            paths = (path, path + "index.html") if index == 0 else (path + _list_name(index),)
            site.add_html(
                paths,
                PORTAL_EPOCH,
                lambda c=chunk, i=index: _list_page(site, name, c, i, pages),
            )

    def _build(self, site: Site) -> None:
        rng = random.Random(self.seed)
        site.add_html(("/", "/index.html"), PORTAL_EPOCH, lambda: html_page(
            site.name, home_body(site, "/zwgk/"), site))  # fmt: skip
        site.add_html(("/zwgk/", "/zwgk/index.html"), PORTAL_EPOCH, lambda: html_page(
            "政务公开", open_gov_body([("/zwgk/zn/", "政府信息公开指南"),
                                      (COLUMN, "政府信息公开年度报告")]), site))  # fmt: skip
        groups = [
            (f"{COLUMN}szf/", "市政府年报", [(CITY, f"{COLUMN}szf/")]),
            (f"{COLUMN}szbm/", "市直部门年报", list(DEPARTMENTS)),
            (f"{COLUMN}xq/", "县区年报", list(DISTRICTS)),
        ]
        site.add_html(
            (COLUMN, COLUMN + "index.html"),
            PORTAL_EPOCH,
            lambda: _index_page(site, "政府信息公开年度报告", [(p, n) for p, n, _ in groups]),
        )
        for path, name, agencies in groups:
            if agencies[0][0] == CITY:
                self._column(site, path, name, CITY, rng)
                continue
            columns = [(column, agency) for agency, column in agencies]
            site.add_html(
                (path, path + "index.html"),
                PORTAL_EPOCH,
                lambda n=name, c=columns: _index_page(site, n, c),
            )
            for column, agency in columns:
                self._column(site, column, f"{agency}年报", agency, rng)

    def start(self) -> CityPortal:
        if self._server is not None:
            return self
        handler: Any = type("CityHandler", (_Handler,), {"server_version": "nginx"})
        server = ThreadingHTTPServer((self.host, 0), handler)
        server.daemon_threads = True
        site = Site(
            family="plain",
            name="示例市人民政府门户网站（示例）",
            agency=CITY,
            source_id="sample-city",
            base_url=f"http://{self.host}:{server.server_address[1]}",
        )
        self._build(site)
        handler.site = site
        self.site, self._server = site, server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": STOP_POLL_SECONDS},
            name="portal-city",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> CityPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def sources(self) -> list[Source]:
        """The city's portal as one source, no family named: its spider finds its way."""
        assert self.site is not None
        return [
            Source(
                id=self.site.source_id,
                agency=CITY,
                family="plain",
                start_urls=(self.site.base_url + "/",),
                allowed_hosts=(self.site.base_url.split("://", 1)[1],),
                region="示例省示例市（示例）",
                allow_private=True,
                extra={"notes": "bundled sample city portal on 127.0.0.1 (fictional)"},
            )
        ]

    def write_sources(self, path: str | Path) -> None:
        dump_sources(self.sources(), path, header="nianbao sample city portal (generated)")
