"""Keeps the crawler on its portals: allowed hosts, http(s) only, no private addresses, no bombs.

`HostGuardMiddleware` is a downloader middleware that refuses, with a reason that ends up as a
`failed` page row:

- any request whose URL is not http(s) or not on its source's allowed hosts (redirect targets
  included: Scrapy's redirect middleware hands new requests back through process_request, and this
  middleware also vets the `Location` of every 3xx before the redirect middleware follows it);
- any request to a host that is, or resolves to, a private, loopback, link-local, reserved,
  multicast or unspecified address, unless the source says `allow_private: true` (the bundled sample
  portal on 127.0.0.1); the allowed-hosts rule still applies then;
- redirect chains longer than NIANBAO_MAX_REDIRECTS (a redirect loop);
- requests a spider marked as refused (META_REFUSED, e.g. past NIANBAO_MAX_LIST_PAGES);
- compressed bodies that decode to more than DOWNLOAD_MAXSIZE (a decompression bomb), checked with
  a bounded decoder before Scrapy's own decompression.

Refusals in process_request raise IgnoreRequest, which `FailureRecorderMiddleware` records; those in
process_response (nothing records an exception raised there) send the `fetch_failed` signal
themselves, under the URL the spider asked for. The address check resolves through Twisted's
resolver (Scrapy's DNS cache), so it never blocks the reactor; Scrapy resolves again when it
connects, so a DNS server answering differently the second time is not caught here.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor

from archive.content import ContentDecodingError, decode_content
from crawler.sources import Source
from crawler.spiders.base import META_LINK_TEXT, META_REFUSED, META_ROLE, META_SOURCE
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import ROLE_OTHER

logger = logging.getLogger(__name__)

DEFAULT_MAX_REDIRECTS = 10


def forbidden_address(host: str) -> str | None:
    """Why an IP address may not be crawled (private, loopback, …), or None for a public one.

    `host` that is not an IP literal gives None: names are checked after resolution.
    """
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "reserved", "multicast", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return f"{kind.replace('_', '-')} address {address}"
    return None


def refusal(url: str, source: Source | None, sources: list[Source]) -> str | None:
    """Why `url` may not be fetched for `source` (None: it may), before any DNS lookup."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"not an http(s) URL: {url[:200]}"
    allowed = [source] if source is not None else sources
    if not any(s.allows(url) for s in allowed):
        return f"host {parts.netloc or '?'} is not an allowed host of {_names(allowed)}"
    if not all(s.allow_private for s in allowed):
        reason = forbidden_address(parts.hostname or "")
        if reason:
            return f"{reason} ({parts.netloc}) and {_names(allowed)} does not allow private hosts"
    return None


def _names(sources: list[Source]) -> str:
    return ", ".join(s.id for s in sources) or "no source"


class HostGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.max_redirects = settings.getint("NIANBAO_MAX_REDIRECTS", DEFAULT_MAX_REDIRECTS)
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGuardMiddleware:
        return cls(crawler)

    def _sources(self) -> tuple[dict[str, Source], list[Source]]:
        by_id: dict[str, Source] = getattr(self.crawler.spider, "sources", None) or {}
        return by_id, list(by_id.values())

    def _source_of(self, request: Request) -> tuple[Source | None, list[Source]]:
        by_id, sources = self._sources()
        return by_id.get(request.meta.get(META_SOURCE) or ""), sources

    def _refuse(self, request: Request, reason: str) -> IgnoreRequest:
        self.crawler.stats.inc_value("nianbao/refused")
        self.crawler.stats.inc_value(f"nianbao/refused/{reason.split(':')[0].split(' (')[0][:40]}")
        logger.warning("Refused %s: %s", request.url, reason)
        return IgnoreRequest(f"refused: {reason}")

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        refused = request.meta.get(META_REFUSED)
        if refused:
            raise self._refuse(request, refused)
        source, sources = self._source_of(request)
        if not sources:
            return None  # not a nianbao family spider (nothing to check against)
        reason = refusal(request.url, source, sources)
        private_ok = all(s.allow_private for s in ([source] if source else sources))
        if reason is None and not private_ok:
            reason = await self._resolved_refusal(request.url)
        if reason is not None:
            raise self._refuse(request, reason)
        return None

    async def _resolved_refusal(self, url: str) -> str | None:
        host = urlsplit(url).hostname or ""
        if forbidden_address(host) is not None:
            return forbidden_address(host)
        try:
            ipaddress.ip_address(host)
            return None
        except ValueError:
            pass
        try:
            address = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
        except Exception:  # noqa: BLE001 (the download itself fails and is recorded)
            return None
        reason = forbidden_address(str(address))
        return f"{host} resolves to a {reason}" if reason else None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        reason: str | None = None
        if 300 <= response.status < 400 and b"Location" in response.headers:
            location = (response.headers[b"Location"] or b"").decode("latin-1")
            target = urljoin(response.url, location)
            hops = len(request.meta.get("redirect_urls", ()))
            source, sources = self._source_of(request)
            if hops >= self.max_redirects:
                reason = f"redirect loop: more than {self.max_redirects} redirects"
            elif sources:
                refused = refusal(target, source, sources)
                if refused:
                    reason = f"redirect to {target[:200]}: {refused}"
        elif response.headers.get(b"Content-Encoding") and self.max_size:
            encoding = (response.headers[b"Content-Encoding"] or b"").decode("latin-1")
            try:
                decode_content(response.body, encoding, max_size=self.max_size)
            except ContentDecodingError as exc:
                if "more than" in str(exc):
                    reason = f"decompression bomb: {exc} (DOWNLOAD_MAXSIZE)"
        if reason is None:
            return response
        self._record(request, reason)
        raise self._refuse(request, reason)

    def _record(self, request: Request, reason: str) -> None:
        """Record a failure under the URL the spider asked for (the first of a redirect chain)."""
        meta: dict[str, Any] = request.meta
        url = (meta.get("redirect_urls") or [request.url])[0]
        self.crawler.signals.send_catch_log(
            nianbao_signals.fetch_failed,
            url=url,
            source_id=meta.get(META_SOURCE),
            role=meta.get(META_ROLE, ROLE_OTHER),
            reason=f"refused: {reason}",
            link_text=meta.get(META_LINK_TEXT),
        )
