"""Conditional requests for reports already archived, and the stored copy standing in for a 304.

Settings read: NIANBAO_FULL_REVALIDATION (send no validators: every known report is downloaded in
full and compared by hash — `--full`, the guard against servers that lie about freshness),
NIANBAO_ARCHIVE_DIR (where the stored copies are). A request the weekly full pass marked
(`crawler.middlewares.revisits.META_FULL_PASS`) goes without validators too.

On a `304 Not Modified` the spider receives the archived copy (marked with the header
`X-Nianbao-Not-Modified: 1`), so it can still follow the attachments of an unchanged page; the 304
itself is what the archive records for this visit. An attachment's stand-in has no body: nothing is
followed from it, so its stored copy is not read back.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.warc_read import WarcReadError, read_record
from crawler.middlewares.revisits import META_FULL_PASS
from crawler.spiders.base import META_ROLE
from crawler.state import known_documents
from pipeline.extraction.document import DOCUMENT_ROLES, NOT_MODIFIED_HEADER, ROLE_ATTACHMENT

logger = logging.getLogger(__name__)

# Headers of the stored response that no longer describe the body we hand on (already decoded).
_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}


class RevalidationMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.full = crawler.settings.getbool("NIANBAO_FULL_REVALIDATION")
        self.archive_dir = Path(crawler.settings.get("NIANBAO_ARCHIVE_DIR", "."))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevalidationMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if (
            self.full
            or request.meta.get(META_FULL_PASS)
            or request.meta.get(META_ROLE) not in DOCUMENT_ROLES
        ):
            return None
        known = known_documents(self.crawler).get(request.url)
        if known is None or known.withdrawn:
            return None
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status != 304:
            return response
        known = known_documents(self.crawler).get(request.url)
        if known is None or known.warc_file is None or known.warc_offset is None:
            return response
        if request.meta.get(META_ROLE) == ROLE_ATTACHMENT:
            # Nothing is followed from an attachment, and an unchanged one is not extracted
            # again: its stored copy (a report PDF can run to megabytes) is not read back.
            self.crawler.stats.inc_value("nianbao/not_modified")
            headers = {
                k.decode("latin-1"): v[-1].decode("latin-1") for k, v in response.headers.items()
            }
            return self._stand_in(request, headers, b"")
        try:
            stored = read_record(self.archive_dir, known.warc_file, known.warc_offset)
        except (OSError, WarcReadError) as exc:
            logger.warning("304 for %s but its stored copy is unreadable: %s", request.url, exc)
            return response
        self.crawler.stats.inc_value("nianbao/not_modified")
        return self._stand_in(request, stored.headers, stored.body)

    def _stand_in(self, request: Request, headers: dict[str, str], body: bytes) -> Response:
        """A 200 response with `body`, marked as the stored copy of a 304's resource."""
        kept = {k: v for k, v in headers.items() if k.lower() not in _DROPPED}
        kept[NOT_MODIFIED_HEADER] = "1"
        cls = responsetypes.from_args(headers=Headers(kept), url=request.url, body=body)
        return cls(
            url=request.url,
            status=200,
            headers=kept,
            body=body,
            request=request,
            flags=["not_modified"],
        )
