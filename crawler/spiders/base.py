"""What every site-family spider shares: sources in, requests tagged with their role, documents out.

A family spider only navigates. It receives the sources of its family, walks each portal from its
start (or known column) URLs, and yields a `FetchedDocument` for every page or attachment that may be
a report. Every request carries in `meta`:

- `nianbao_source`: the source id, so archive records and reports know their portal;
- `nianbao_role`: list / document / attachment / other (see `pipeline.extraction.document`);
- `nianbao_link_text`: the anchor text that led here (a report's title on its list page);
- `download_slot`: host:port, so per-host politeness counts ports as different sites.

Extraction and storage happen in the item pipelines, never here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.sources import Source
from crawler.state import known_documents
from pipeline.extraction.document import (
    ROLE_ATTACHMENT,
    ROLE_DOCUMENT,
    ROLE_LIST,
    ROLE_OTHER,
    FetchedDocument,
)

META_SOURCE = "nianbao_source"
META_ROLE = "nianbao_role"
META_LINK_TEXT = "nianbao_link_text"
META_WARC_FILE = "nianbao_warc_file"
META_WARC_OFFSET = "nianbao_warc_offset"
META_FETCHED_AT = "nianbao_fetched_at"
META_LIST_KEY = "nianbao_list_key"  # a list page's identity when its URL is not (POSTed forms)
META_REVALIDATION = "nianbao_revalidation"  # a known report visited again, not found on a list
# Why a request must not be downloaded; `crawler.middlewares.host_guard` refuses it and the refusal is recorded.
META_REFUSED = "nianbao_refused"
# Distinct list pages followed per source at most: a column that keeps announcing one more page (a
# calendar trap) is cut off there, and the cut is recorded as a failure, not silently.
DEFAULT_MAX_LIST_PAGES = 200
DOCUMENT_STATUSES_SEEN = [301, 302, 303, 307, 308, 404, 410]


def response_headers(response: Response) -> dict[str, str]:
    """Response headers as a plain dict with lower-cased names (last value wins)."""
    headers: dict[str, str] = {}
    for name, values in response.headers.items():
        if values:
            headers[name.decode("latin-1").lower()] = values[-1].decode("latin-1")
    return headers


class FamilySpider(scrapy.Spider):
    """Base for the spiders of one CMS family; subclasses define `parse_list` and `parse_document`."""

    family: str = ""

    def __init__(self, sources: Iterable[Source] = (), *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources: dict[str, Source] = {s.id: s for s in sources if s.family == self.family}
        self._listed: dict[str, set[str]] = {}
        self._list_pages: dict[str, set[str]] = {}

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources.values():
            for url in source.column_urls or source.start_urls:
                role = ROLE_LIST if source.column_urls else ROLE_OTHER
                callback = self.parse_list if source.column_urls else self.parse_home
                yield self.follow(url, source, role, callback, dont_filter=True)
        # Every report already archived is revalidated, linked or not: that is how a changed or
        # withdrawn report is noticed. The dupefilter merges these with the list pages' links.
        known = known_documents(self.crawler)
        for source in self.sources.values():
            for document in known.of_source(source.id):
                callback = (
                    self.parse_attachment
                    if document.role == ROLE_ATTACHMENT
                    else self.parse_document
                )
                yield self.follow(
                    document.url,
                    source,
                    document.role,
                    callback,
                    link_text=document.title,
                    meta={META_REVALIDATION: True},
                )

    def closed(self, reason: str) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is None:
            return
        for source_id in self.sources:
            crawler.stats.set_value(
                f"nianbao/source/{source_id}/listed", len(self._listed.get(source_id, ()))
            )

    @property
    def run_id(self) -> str | None:
        """The crawl run this spider works for (None outside a crawl, e.g. in parsing tests)."""
        crawler = getattr(self, "crawler", None)
        return (crawler.settings.get("NIANBAO_RUN_ID") or None) if crawler else None

    # -- helpers for subclasses -------------------------------------------------------------------

    def source_of(self, response: Response) -> Source:
        return self.sources[response.meta[META_SOURCE]]

    def follow(
        self,
        url: str,
        source: Source,
        role: str,
        callback: Any,
        link_text: str | None = None,
        referer: str | None = None,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request for `url` on `source`, tagged for the archive and the pipelines."""
        meta: dict[str, Any] = {
            META_SOURCE: source.id,
            META_ROLE: role,
            META_LINK_TEXT: link_text,
            "download_slot": urlsplit(url).netloc.lower(),
        }
        if role in (ROLE_DOCUMENT, ROLE_ATTACHMENT):
            # A report page's redirect or 404 is news about that report (moved or withdrawn), not
            # a page to parse: the spider sees it instead of Scrapy following it blindly.
            meta.setdefault("dont_redirect", True)
            meta.setdefault("handle_httpstatus_list", DOCUMENT_STATUSES_SEEN)
        if not source.obey_robots:
            # The source file carries the reason for this override (crawler.sources enforces it).
            meta["dont_obey_robotstxt"] = True
        meta.update(kwargs.pop("meta", {}))
        if role == ROLE_LIST:
            # A list API POSTs every page to one URL: the form tells the pages apart.
            self._cap_list_pages(meta.get(META_LIST_KEY, url), source, meta)
        if role == ROLE_DOCUMENT and not meta.get(META_REVALIDATION):
            # What the portal's own lists lead to this run; a source whose lists lead nowhere is
            # "empty" even when its old reports still answer.
            self._listed.setdefault(source.id, set()).add(url)
        headers = kwargs.pop("headers", {})
        if referer:
            headers = {**headers, "Referer": referer}
        return scrapy.Request(url, callback=callback, meta=meta, headers=headers, **kwargs)

    @property
    def max_list_pages(self) -> int:
        crawler = getattr(self, "crawler", None)
        if crawler is None:
            return DEFAULT_MAX_LIST_PAGES
        return crawler.settings.getint("NIANBAO_MAX_LIST_PAGES", DEFAULT_MAX_LIST_PAGES)

    def list_page_requested(self, url: str, source: Source) -> bool:
        """Whether `url` (or a POSTed call's key) was already asked for as one of `source`'s list
        pages (within the cap)."""
        return url in self._list_pages.get(source.id, ())

    def _cap_list_pages(self, url: str, source: Source, meta: dict[str, Any]) -> None:
        """Mark a list page past the source's cap as refused (the request is recorded as failed)."""
        seen = self._list_pages.setdefault(source.id, set())
        if url in seen:
            return
        cap = self.max_list_pages
        if len(seen) < cap:
            seen.add(url)
            return
        meta[META_REFUSED] = (
            f"pagination cap: {source.id} lists more than {cap} pages (NIANBAO_MAX_LIST_PAGES)"
        )
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value(f"nianbao/source/{source.id}/list_pages_capped")

    def allowed(self, url: str, source: Source) -> bool:
        """Whether a link may be followed: on the source's hosts, http(s) only."""
        return source.allows(url)

    def document(self, response: Response) -> FetchedDocument:
        """The item for a fetched page or attachment that may be a report."""
        meta = response.meta
        referer = response.request.headers.get("Referer") if response.request else None
        return FetchedDocument(
            url=response.url,
            status=response.status,
            body=response.body,
            headers=response_headers(response),
            fetched_at=meta.get(META_FETCHED_AT) or datetime.now(UTC).isoformat(timespec="seconds"),
            source_id=meta.get(META_SOURCE),
            role=meta.get(META_ROLE, ROLE_OTHER),
            link_text=meta.get(META_LINK_TEXT),
            referer=referer.decode("latin-1") if referer else None,
            warc_file=meta.get(META_WARC_FILE),
            warc_offset=meta.get(META_WARC_OFFSET),
            run_id=self.run_id,
        )

    # -- to be defined by each family -------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterable[Any]:
        """From a portal's home page to its 政府信息公开年报 column (政务公开 → 年报)."""
        raise NotImplementedError

    def parse_list(self, response: Response) -> Iterable[Any]:
        """A column's list page: report links, pagination."""
        raise NotImplementedError

    def parse_document(self, response: Response) -> Iterable[Any]:
        """A detail page: yield the document, follow its attachments."""
        raise NotImplementedError

    def parse_attachment(self, response: Response) -> Iterable[Any]:
        if response.status != 200:
            yield from self.moved(response)
            return
        yield self.document(response)

    def parse_image(self, response: Response) -> Iterable[Any]:
        """A report page's picture: archived (by the downloader middleware), read with its page
        by the load; nothing to follow."""
        return ()

    def moved(self, response: Response) -> Iterable[Any]:
        """For a document that answered 3xx: follow it only when it merely moved (same path on
        another scheme or host alias); anything else is a withdrawal, recorded from the archive."""
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return
        target = response.urljoin(location.decode("latin-1"))
        source = self.source_of(response)
        if urlsplit(target).path == urlsplit(response.url).path and source.allows(target):
            callback = (
                self.parse_attachment
                if response.meta.get(META_ROLE) == ROLE_ATTACHMENT
                else self.parse_document
            )
            yield self.follow(
                target,
                source,
                response.meta.get(META_ROLE, ROLE_DOCUMENT),
                callback,
                link_text=response.meta.get(META_LINK_TEXT),
                referer=response.url,
                # The hops so far, as Scrapy's redirects keep them: `crawler.middlewares.host_guard` cuts a
                # chain longer than NIANBAO_MAX_REDIRECTS (a loop) and records it under its start.
                meta={"redirect_urls": [*response.meta.get("redirect_urls", ()), response.url]},
                # Past the dupefilter: a hop seen in an earlier attempt would otherwise end this
                # attempt silently, neither archived nor recorded as failed.
                dont_filter=True,
            )
