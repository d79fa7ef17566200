"""A sample site as data: its paths, each a lazily rendered resource, and the truth it publishes.

A `Site` knows nothing of HTTP; the server looks paths up here. Resources render on first request
and keep their bytes, so a portal of thousands of reports starts at once and serves fast after the
first hit. The family modules (`portal.trs_site`, `portal.hanweb_site`, `portal.plain_site`) describe
their pages and `portal.placement` fills a site by that description.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import parse_qs

from portal.behaviour import SiteBehaviour
from portal.content import ReportSpec, TruthReport

PORTAL_EPOCH = datetime(2025, 1, 6, 9, 0)  # Last-Modified of navigation pages
ROBOTS_TXT = b"User-agent: *\nDisallow: /admin/\nAllow: /\n"


class Resource:
    """One path's response body, rendered once on first use."""

    def __init__(
        self, content_type: str, last_modified: datetime, render: Callable[[], bytes]
    ) -> None:
        self.content_type = content_type
        self.last_modified = last_modified
        self._render = render
        self._body: bytes | None = None
        self.etag = ""  # set with the body: a strong validator of its bytes
        self._lock = threading.Lock()

    def reset(self, last_modified: datetime) -> None:
        """Render again on the next request (the content changed)."""
        with self._lock:
            self._body = None
            self.last_modified = last_modified

    def body(self) -> bytes:
        if self._body is None:
            with self._lock:
                if self._body is None:
                    body = self._render()
                    self.etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                    self._body = body
        return self._body


@dataclass
class Site:
    """One portal of one CMS family on one port."""

    family: str
    name: str  # the site's title
    agency: str  # the government that owns the site
    source_id: str
    base_url: str  # http://127.0.0.1:PORT, no trailing slash
    charset: str = "utf-8"
    query_params: tuple[str, ...] = ()  # query parameters that select a different page
    resources: dict[str, Resource] = field(default_factory=dict)
    truth: dict[str, TruthReport] = field(default_factory=dict)
    specs: dict[str, ReportSpec] = field(default_factory=dict)  # document URL -> what it renders
    behaviour: SiteBehaviour = field(default_factory=SiteBehaviour)
    # A calendar trap (see `portal.faults`): list pages announce one page more than there are, and
    # every page past the end is an empty list page announcing the next, forever.
    calendar_trap: bool = False
    trap_page: Callable[[str, str], str | None] | None = None  # (path, query) -> page past the end
    trap_pages_served: int = 0
    # Document or page URL -> the URL of the page a crawler finds it on (detail page, list page, the
    # previous list page): a report whose finding page failed is accounted for by that failure.
    found_on: dict[str, str] = field(default_factory=dict)
    # Path -> a list API answering from its parameters (query and POSTed form merged): the
    # columns whose records come from a script's call (Hanweb dataproxy.jsp, jpaas, getInfoList).
    endpoints: dict[str, Callable[[dict[str, str]], tuple[str, bytes] | None]] = field(
        default_factory=dict
    )

    def publish(self, path: str, spec: ReportSpec) -> None:
        """Record that the document at `path` holds `spec` (its ground truth)."""
        self.truth[self.url(path)] = spec.truth()
        self.specs[self.url(path)] = spec

    def change_report(self, path: str) -> list[str]:
        """Correct the numbers of the report at `path` (keeping its sums true); returns changed keys.

        Every document rendering that report (page and attachments) renders anew.
        """
        url = self.url(path)
        spec = self.specs.get(url)
        if spec is None or not spec.metrics:
            raise KeyError(f"no report with tables at {path}")
        changed = []
        for key in ("review.upheld", "review.total"):
            value = spec.metrics.get(key)
            spec.metrics[key] = (value or 0) + 1
            spec.raw.pop(key, None)
            changed.append(key)
        now = datetime.now().replace(microsecond=0)
        for doc_url, doc_spec in self.specs.items():
            if doc_spec is spec:
                resource = self.resources[doc_url[len(self.base_url) :]]
                resource.reset(now)
                self.truth[doc_url] = spec.truth()
        return changed

    def url(self, path: str) -> str:
        return self.base_url + path

    def link(self, page: str, target: str) -> None:
        """Record that `target` (a path) is first found on `page` (a path)."""
        self.found_on.setdefault(self.url(target), self.url(page))

    def finding_pages(self, url: str) -> list[str]:
        """The pages a crawler walks through to reach `url`, nearest first."""
        chain: list[str] = []
        while url in self.found_on and self.found_on[url] not in chain:
            url = self.found_on[url]
            chain.append(url)
        return chain

    def add(
        self, path: str, content_type: str, last_modified: datetime, render: Callable[[], bytes]
    ) -> None:
        self.resources[path] = Resource(content_type, last_modified, render)

    def add_html(
        self, paths: str | tuple[str, ...], last_modified: datetime, render: Callable[[], str]
    ) -> None:
        """An HTML page in the site's charset (characters it cannot hold become &#NNNN;)."""
        charset = self.charset

        def encoded() -> bytes:
            return render().encode(charset, errors="xmlcharrefreplace")

        resource = Resource(f"text/html; charset={charset.upper()}", last_modified, encoded)
        for path in (paths,) if isinstance(paths, str) else paths:
            self.resources[path] = resource

    def resolve(self, path: str, query: str, form: str = "") -> Resource | None:
        """The resource for a request path; unknown query parameters are ignored, like a CMS.

        `form` is a POSTed form body, read by list API endpoints together with the query."""
        endpoint = self.endpoints.get(path)
        if endpoint is not None:
            merged = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
            merged |= {k: v[0] for k, v in parse_qs(form, keep_blank_values=True).items()}
            answer = endpoint(merged)
            if answer is None:
                return None
            content_type, body = answer
            return Resource(content_type, PORTAL_EPOCH, lambda: body)
        params = parse_qs(query)
        selected = [f"{name}={params[name][0]}" for name in self.query_params if name in params]
        key = f"{path}?{'&'.join(selected)}" if selected else path
        resource = self.resources.get(key)
        if resource is None and self.calendar_trap and self.trap_page is not None:
            page = self.trap_page(path, query)
            if page is not None:
                self.trap_pages_served += 1
                encoded = page.encode(self.charset, errors="xmlcharrefreplace")
                content_type = f"text/html; charset={self.charset.upper()}"
                return Resource(content_type, PORTAL_EPOCH, lambda: encoded)
        return resource

    def announced_pages(self, pages: int) -> int:
        """How many list pages a column says it has: one more than it has under a calendar trap."""
        return pages + 1 if self.calendar_trap else pages


@dataclass(frozen=True)
class Placement:
    """A report placed on a site: the spec and, for plain sites, the attachment formats it gets."""

    spec: ReportSpec
    formats: tuple[str, ...]  # "html" for a page; "txt", "pdf", "docx" for attachments


def html_page(
    title: str, body: str, site: Site, head: str = "", meta_charset: str | None = None
) -> str:
    """A complete page with the site's chrome; `meta_charset` overrides the declared charset."""
    declared = meta_charset or site.charset
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}" />\n'
        f"<title>{escape(title)}_{escape(site.name)}</title>\n{head}\n</head>\n<body>\n"
        f'<div class="header"><a href="/">{escape(site.name)}</a></div>\n{body}\n'
        f'<div class="footer">主办单位：{escape(site.agency)}　网站标识码：0000000000　'
        f'<a href="/admin/index.htm">管理登录</a></div>\n</body></html>\n'
    )


def home_body(site: Site, open_gov_href: str) -> str:
    """A home page: navigation with 政务公开 among other channels, some news."""
    nav = [
        ("/", "首页"),
        ("/xwzx/", "新闻中心"),
        (open_gov_href, "政务公开"),
        ("/zmhd/", "政民互动"),
        ("/bsfw/", "办事服务"),
    ]
    links = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in nav)
    return (
        f'<div class="nav"><ul>{links}</ul></div>\n'
        '<div class="news"><h3>要闻动态</h3><ul><li><a href="/xwzx/">全市召开政务公开工作推进会'
        "</a></li>"
        '<li><a href="/xwzx/">我市持续优化营商环境</a></li></ul></div>'
    )


def open_gov_body(columns: list[tuple[str, str]]) -> str:
    """The 政务公开 page: links to its columns, 年报 among them."""
    links = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in columns)
    position = '<div class="position">当前位置：<a href="/">首页</a> &gt; 政务公开</div>'
    return f'{position}\n<ul class="columns">{links}</ul>'
