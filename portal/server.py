"""The sample portal: one stdlib HTTP server per site on 127.0.0.1, used by tests and the CLI.

    with SamplePortal(synthetic=300, seed=1) as portal:
        portal.write_sources("sample.yaml")      # one source per site, allow_private: true
        portal.write_truth("truth.json")         # document URL -> what its tables say

Every response has `ETag` and `Last-Modified` and honours `If-None-Match` / `If-Modified-Since`
with 304, as a re-crawl needs. Pages render lazily, so thousands of reports start in seconds.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.sources import Source, dump_sources
from portal import api_sites, hanweb_site, pager_sites, plain_site, trs_site
from portal.content import ReportSpec, TruthReport, load_seeds, noise_items
from portal.faults import FAULTS_PATH, FaultInjector, FaultSpec
from portal.hostile import hostile_spec
from portal.placement import build
from portal.sites import Placement, Site, html_page
from portal.synthetic import generate

_CHINA = timezone(timedelta(hours=8))  # page dates are Beijing time

# family -> (site title, owning government, server banner, charset)
_SITE_PROFILES: dict[str, tuple[str, str, str, str]] = {
    "trs": ("示例市人民政府门户网站", "示例市人民政府（示例）", "TRS WCM", "utf-8"),
    "hanweb": ("示例省人民政府门户网站", "示例省人民政府（示例）", "Hanweb JCMS", "gbk"),
    "plain": ("示例县人民政府网", "示例县人民政府（示例）", "nginx", "utf-8"),
    "countpage": ("示例旗人民政府网", "示例旗人民政府（示例）", "TRS WCM", "utf-8"),
    "query": ("示例镇人民政府网", "示例镇人民政府（示例）", "Apache-Coyote/1.1", "utf-8"),
    "dataproxy": ("示例地级市人民政府网", "示例地级市人民政府（示例）", "Hanweb JCMS", "utf-8"),
    "jpaas": ("示例自治州人民政府网", "示例自治州人民政府（示例）", "jpaas", "utf-8"),
    "xxgk": ("示例区政府信息公开目录", "示例区人民政府（示例）", "nginx", "utf-8"),
    "gkml": ("示例县级市人民政府门户网站", "示例县级市人民政府（示例）", "nginx", "utf-8"),
    "trssearch": ("示例综合实验区门户网站", "示例综合实验区管理委员会（示例）", "TRS WCM", "utf-8"),
}
_LAYOUTS = {
    "trs": trs_site.LAYOUT,
    "hanweb": hanweb_site.LAYOUT,
    "plain": plain_site.LAYOUT,
    "countpage": pager_sites.COUNT_PAGE_LAYOUT,
    "query": pager_sites.QUERY_LAYOUT,
    "dataproxy": api_sites.DATAPROXY_LAYOUT,
    "jpaas": api_sites.JPAAS_LAYOUT,
    "xxgk": api_sites.XXGK_LAYOUT,
    "gkml": api_sites.GKMLPT_LAYOUT,
    "trssearch": api_sites.TRS_SEARCH_LAYOUT,
}
FAMILY_ORDER = ("trs", "hanweb", "plain")
# One site per pager and list style beyond the three families' own (issue 19): served with the
# families when asked for (`styles=`; `nianbao portal --synthetic` serves them all by default).
STYLE_ORDER = ("countpage", "query", "dataproxy", "jpaas", "xxgk", "gkml", "trssearch")
ALL_SITES = FAMILY_ORDER + STYLE_ORDER
# The crawler family a source names for each site when families are named (a hint: every
# family detects every style, `family: auto` included).
SOURCE_FAMILY = {
    "trs": "trs",
    "hanweb": "hanweb",
    "plain": "plain",
    "countpage": "trs",
    "query": "plain",
    "dataproxy": "hanweb",
    "jpaas": "trs",
    "xxgk": "plain",
    "gkml": "plain",
    "trssearch": "trs",
}
CONTROL_PATH = "/-/control"
# How long stopping waits for the extra formats' renderer (a scan takes seconds, a .doc up to
# LibreOffice's timeout).
RENDER_JOIN_SECONDS = 200.0
_COLUMNS = {
    "trs": trs_site.COLUMN,
    "hanweb": hanweb_site.COLUMN,
    "plain": plain_site.COLUMN,
    "countpage": pager_sites.COUNT_PAGE_COLUMN,
    "query": pager_sites.QUERY_COLUMN,
    "dataproxy": api_sites.DATAPROXY_COLUMN,
    "jpaas": api_sites.JPAAS_COLUMN,
    "xxgk": api_sites.XXGK_COLUMN,
    "gkml": api_sites.GKMLPT_HOME,
    "trssearch": api_sites.TRS_SEARCH_COLUMN,
}
# The report column's list pages, which the "empty" mode serves without entries.
_LIST_PAGE = {
    "trs": re.compile(r"^/zwgk/zfxxgk/zfxxgknb/(index(_\d+)?\.htm)?$"),
    "hanweb": re.compile(r"^/col/col123/index\.html$"),
    "plain": re.compile(r"^/zwgk/ndbg/((index|list_\d+)\.html)?$"),
    "countpage": pager_sites.COUNT_PAGE_LIST,
    "query": pager_sites.QUERY_LIST,
    "dataproxy": api_sites.DATAPROXY_LIST,
    "jpaas": api_sites.JPAAS_LIST,
    "xxgk": api_sites.XXGK_LIST,
    "gkml": api_sites.GKMLPT_LIST,
    "trssearch": api_sites.TRS_SEARCH_LIST,
}
# Query parameters that select a different page of a site.
_QUERY_PARAMS = {"hanweb": ("pageNum",), "query": pager_sites.QUERY_PARAMS}

# Where each seed is published: seeds with tables as HTML on TRS or Hanweb, the narrative 自查报告
# as HTML on Hanweb, and every seed's original text on the plain site, two also as PDF / DOCX.
_SEED_HTML_FAMILY = {0: "trs", 1: "trs", 2: "hanweb", 3: "hanweb", 4: "hanweb"}
_SEED_EXTRA_FILES = {0: ("docx",), 1: ("pdf",)}
# With `extra_formats`, the plain site's first synthetic reports with tables are published these
# ways instead (`portal.published_formats`): a scanned PDF, a page of table images, a typed PDF
# whose tables are pictures, a .doc.
EXTRA_FORMATS = (("scan_pdf",), ("scan_png",), ("pdf_table_pictures",), ("doc",))

# How often each site's server checks whether it is asked to stop.
STOP_POLL_SECONDS = 0.05


class _Handler(BaseHTTPRequestHandler):
    site: Site
    faults: FaultInjector | None = None
    protocol_version = "HTTP/1.1"

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:
            pass  # the client hung up (a crawler giving up on an injected fault): not an error

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def do_POST(self) -> None:  # noqa: N802
        # List APIs take their parameters as a form (Hanweb's dataproxy.jsp, getInfoList).
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self._respond(with_body=True, form=form)

    def _respond(self, with_body: bool, form: str = "") -> None:
        parts = urlsplit(self.path)
        if parts.path == CONTROL_PATH:
            self._control(parts.query)
            return
        if parts.path == FAULTS_PATH:
            counts = self.faults.counts() if self.faults else {}
            body = json.dumps(counts).encode("utf-8")
            self._send(200, "application/json", body, {"Cache-Control": "no-store"}, True)
            return
        column_url = self.site.url(_COLUMNS[self.site.family])
        override = self.site.behaviour.override(parts.path, column_url)
        if (
            override is None
            and self.site.behaviour.mode == "empty"
            and (_LIST_PAGE[self.site.family].match(parts.path))
        ):
            page = html_page("政府信息公开年报", "<div class='list'>暂无信息</div>", self.site)
            override = (
                200,
                f"text/html; charset={self.site.charset}",
                page.encode(self.site.charset),
                {},
            )
        if override is not None:
            status, content_type, body, headers = override
            self._send(status, content_type, body, headers, with_body)
            return
        resource = self.site.resolve(parts.path, parts.query, form)
        if resource is None:
            self._send(
                404,
                "text/html; charset=utf-8",
                b"<html><body><h1>404 Not Found</h1></body></html>",
                {},
                with_body,
            )
            return
        body = resource.body()
        modified = resource.last_modified.replace(tzinfo=_CHINA).astimezone(UTC)
        validators = {
            "ETag": resource.etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
        }
        if self._not_modified(resource.etag, modified):
            self._send(304, None, b"", validators, with_body=False)
            return
        self._send(200, resource.content_type, body, validators, with_body)

    def _control(self, query: str) -> None:
        params = {k: v[0] for k, v in parse_qs(query).items()}
        behaviour = self.site.behaviour
        try:
            if params.get("reset"):
                behaviour.reset()
            if "mode" in params:
                behaviour.set_mode(params["mode"])
            if "crawl_delay" in params:
                behaviour.crawl_delay = float(params["crawl_delay"])
            if "withdraw" in params:
                behaviour.withdraw(params["withdraw"], params.get("kind", "404"))
            changed = self.site.change_report(params["change"]) if "change" in params else []
        except (ValueError, KeyError) as exc:
            body = json.dumps({"error": str(exc)}, ensure_ascii=False).encode("utf-8")
            self._send(400, "application/json", body, {}, with_body=True)
            return
        state = {"mode": behaviour.mode, "withdrawn": behaviour.withdrawn, "changed": changed}
        body = json.dumps(state, ensure_ascii=False).encode("utf-8")
        self._send(200, "application/json", body, {"Cache-Control": "no-store"}, with_body=True)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return modified.replace(microsecond=0) <= since
        return False

    def _send(
        self,
        status: int,
        content_type: str | None,
        body: bytes,
        headers: dict[str, str],
        with_body: bool,
    ) -> None:
        if self.faults is not None and self.faults.deliver(
            self, self.site, status, content_type, body, headers, with_body
        ):
            return
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
            if "Cache-Control" not in headers:
                self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        if with_body and status != 304:
            self.wfile.write(body)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # tests and crawls make thousands of requests; the crawler logs its own


def _placements(
    seeds: list[ReportSpec],
    synthetic: list[ReportSpec],
    sites: tuple[str, ...] = FAMILY_ORDER,
    extra_formats: bool = False,
) -> dict[str, list[Placement]]:
    """Which site publishes each report: seeds on the three families, synthetic ones dealt
    round-robin over every served site; with `extra_formats` the plain site's first synthetic
    reports with tables in `EXTRA_FORMATS`."""
    placed: dict[str, list[Placement]] = {family: [] for family in sites}
    for index, spec in enumerate(seeds):
        placed[_SEED_HTML_FAMILY.get(index, "trs")].append(Placement(spec, ("html",)))
        placed["plain"].append(Placement(spec, ("txt", *_SEED_EXTRA_FILES.get(index, ()))))
    for index, spec in enumerate(synthetic):
        family = sites[index % len(sites)]
        if family == "plain":
            formats = ("pdf",) if (index // len(sites)) % 2 == 0 else ("docx",)
            placed[family].append(Placement(spec, formats))
        else:
            placed[family].append(Placement(spec, ("html",)))
    if extra_formats:
        extra = iter(EXTRA_FORMATS)
        plain = placed["plain"]
        for index, placement in enumerate(plain):
            if placement.spec.seed_text is None and placement.spec.has_tables:
                published = next(extra, None)
                if published is None:
                    break
                plain[index] = Placement(placement.spec, published)
    return placed


class SamplePortal:
    """Three CMS-family sites on loopback ports, with the ground truth of what they publish."""

    def __init__(
        self,
        synthetic: int = 0,
        seed: int = 0,
        host: str = "127.0.0.1",
        base_port: int = 0,
        include_seeds: bool = True,
        faults: FaultSpec | None = None,
        hostile: bool = False,
        styles: tuple[str, ...] = (),
        extra_formats: bool = False,
    ) -> None:
        """`extra_formats` publishes four synthetic reports on the plain site as a scanned PDF,
        a page of table images, a typed PDF whose tables are pictures and a .doc (`EXTRA_FORMATS`):
        seconds of rendering (made in the background from `start`) and of OCR for whoever crawls
        them, so off unless asked for."""
        unknown = set(styles) - set(STYLE_ORDER)
        if unknown:
            raise ValueError(f"unknown site style(s): {', '.join(sorted(unknown))}")
        self.host = host
        self.base_port = base_port
        self.families = FAMILY_ORDER + tuple(s for s in STYLE_ORDER if s in styles)
        seeds = load_seeds() if include_seeds else []
        self._placements = _placements(
            seeds, generate(synthetic, seed) if synthetic else [], self.families, extra_formats
        )
        self._extra_specs = [
            p.spec for p in self._placements["plain"] if p.formats in EXTRA_FORMATS
        ]
        if hostile:
            # One report whose title and prose carry markup and script, for the escaping tests.
            self._placements["trs"].append(Placement(hostile_spec(), ("html",)))
        self.faults = FaultInjector(faults, seed) if faults is not None else None
        self.sites: list[Site] = []
        self.truth: dict[str, TruthReport] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._renderer: threading.Thread | None = None

    def start(self) -> SamplePortal:
        if self._servers:
            return self
        for offset, family in enumerate(self.families):
            name, agency, banner, charset = _SITE_PROFILES[family]
            handler: Any = type(f"{family.title()}Handler", (_Handler,), {"server_version": banner})
            port = self.base_port + offset if self.base_port else 0
            server = ThreadingHTTPServer((self.host, port), handler)
            server.daemon_threads = True
            site = Site(
                family=family,
                name=name,
                agency=agency,
                source_id=f"sample-{family}",
                base_url=f"http://{self.host}:{server.server_address[1]}",
                charset=charset,
                query_params=_QUERY_PARAMS.get(family, ()),
                calendar_trap=bool(self.faults and self.faults.spec.trap),
            )
            placements = self._placements[family]
            noise = noise_items(max(4, len(placements) // 8), agency)
            build(site, _LAYOUTS[family], placements, noise)
            handler.site = site
            handler.faults = self.faults
            self.sites.append(site)
            self.truth.update(site.truth)
            self._servers.append(server)
            # A short poll: stopping the portal waits up to one interval per site.
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": STOP_POLL_SECONDS},
                name=f"portal-{family}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        if self.faults is not None:
            self.faults.sites = self.sites
            self.faults.choose_permanent(sorted(u for u, t in self.truth.items() if t.metrics))
        if self._extra_specs:
            # Scanning and LibreOffice take seconds: begun now, so the crawl rarely waits on them.
            renderer = threading.Thread(target=self._render_extra, name="portal-extra", daemon=True)
            renderer.start()
            self._renderer = renderer
        return self

    def _render_extra(self) -> None:
        site = self.site("plain")
        paths = [
            url[len(site.base_url) :]
            for url, spec in site.specs.items()
            if any(spec is extra for extra in self._extra_specs)
        ]
        paths += [path for path, r in site.resources.items() if r.content_type == "image/png"]
        for path in paths:
            try:
                site.resources[path].body()
            except Exception:  # noqa: BLE001 - the request for it will fail the same way
                continue

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._renderer is not None:
            # Waited for: a daemon thread cut off inside PDFium at exit crashes the process
            # (a portal stopped seconds after it started, before its scans were made).
            self._renderer.join(timeout=RENDER_JOIN_SECONDS)
            self._renderer = None
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> SamplePortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def prerender(self) -> int:
        """Render every page and file now rather than on first request (benchmarks time the crawler,
        not the portal's PDF and DOCX rendering); returns how many bodies were rendered."""
        count = 0
        for site in self.sites:
            for resource in site.resources.values():
                resource.body()
                count += 1
        return count

    def extra_documents(self) -> dict[str, str]:
        """The URL of each extra format's document (`EXTRA_FORMATS`): the scanned PDF, the page
        showing table images, the .doc."""
        site = self.site("plain")
        found = {}
        for placement in self._placements["plain"]:
            if placement.formats in EXTRA_FORMATS:
                (fmt,) = placement.formats
                found[fmt] = next(u for u, s in site.specs.items() if s is placement.spec)
        return found

    def site(self, family: str) -> Site:
        return next(s for s in self.sites if s.family == family)

    def site_of(self, url: str) -> Site:
        return next(s for s in self.sites if url.startswith(s.base_url + "/"))

    def set_mode(self, family: str, mode: str) -> None:
        """Make one site fail the way real portals do (see `portal.behaviour`)."""
        self.site(family).behaviour.set_mode(mode)

    def change_report(self, url: str) -> list[str]:
        """Publish a corrected version of the report at `url`; returns the metric keys that changed."""
        site = self.site_of(url)
        changed = site.change_report(urlsplit(url).path)
        self.truth[url] = site.truth[url]
        return changed

    def withdraw_report(self, url: str, kind: str = "404") -> None:
        """Take the report at `url` down: 404, a redirect to its column, or a deleted-article page."""
        self.site_of(url).behaviour.withdraw(urlsplit(url).path, kind)

    def sources(self, name_families: bool = True) -> list[Source]:
        """One source per site, as `crawler.sources` describes them; without `name_families`
        no source names a family (`family: auto`, detected page by page)."""
        return [
            Source(
                id=site.source_id,
                agency=site.agency,
                family=SOURCE_FAMILY[site.family] if name_families else "auto",
                start_urls=(site.base_url + "/",),
                allowed_hosts=(site.base_url.split("://", 1)[1],),
                region="示例省示例市（示例）",
                allow_private=True,
                extra={"notes": "bundled sample portal on 127.0.0.1 (fictional)"},
            )
            for site in self.sites
        ]

    def write_sources(self, path: str | Path, name_families: bool = True) -> None:
        dump_sources(
            self.sources(name_families),
            path,
            header="nianbao sample portal (generated; ports change per run)",
        )

    def write_truth(self, path: str | Path) -> None:
        data = {url: truth.to_dict() for url, truth in sorted(self.truth.items())}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def serve_forever(portal: SamplePortal) -> None:
    """Run the portal until Ctrl-C, then stop its servers cleanly."""
    portal.start()
    stopped = threading.Event()
    try:
        while not stopped.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
