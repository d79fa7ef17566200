"""Archive every response raw, before anything parses it: the WARC writer as a downloader middleware.

Settings read: NIANBAO_ARCHIVE_DIR (where WARC files go), NIANBAO_WARC_MAX_BYTES (file rotation),
NIANBAO_CLOCK_OFFSET_SECONDS (a simulated clock's `fetched_at`, `archive.clock`).
"""

from __future__ import annotations

import logging
from http.client import responses as http_reasons
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.clock import CLOCK_OFFSET_SETTING, clock_now
from archive.content import ContentDecodingError, decode_content
from archive.warc_store import WarcWriter
from crawler.spiders.base import (
    META_FETCHED_AT,
    META_LINK_TEXT,
    META_ROLE,
    META_SOURCE,
    META_WARC_FILE,
    META_WARC_OFFSET,
    response_headers,
)
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import DOCUMENT_ROLES, ROLE_OTHER, FetchedDocument

logger = logging.getLogger(__name__)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


class WarcArchiveMiddleware:
    """Writes each request/response exchange to WARC as it arrives from the network.

    It sits next to the downloader (priority 950), so it sees redirects, error pages and retried
    attempts too, and the body still carries its Content-Encoding: the archive holds what the server
    sent. The WARC location is put in the request meta for the pipelines.
    """

    def __init__(self, crawler: Crawler, archive_dir: str, max_bytes: int) -> None:
        self.crawler = crawler
        self.writer = WarcWriter(archive_dir, max_bytes=max_bytes)
        self.run_id = crawler.settings.get("NIANBAO_RUN_ID") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        archive_dir = crawler.settings.get("NIANBAO_ARCHIVE_DIR")
        if not archive_dir:
            raise NotConfigured("NIANBAO_ARCHIVE_DIR is not set")
        middleware = cls(crawler, archive_dir, crawler.settings.getint("NIANBAO_WARC_MAX_BYTES"))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, spider: Spider | None = None) -> None:
        self.writer.close()

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        fetched_at = clock_now(self.crawler.settings.getfloat(CLOCK_OFFSET_SETTING))
        meta = request.meta
        extra = {
            "source": meta.get(META_SOURCE) or "",
            "role": meta.get(META_ROLE) or ROLE_OTHER,
            "link-text": meta.get(META_LINK_TEXT) or "",
            "run": self.run_id,
        }
        location = self.writer.write_exchange(
            url=response.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body,
            status=response.status,
            reason=http_reasons.get(response.status, ""),
            response_headers=_header_pairs(response.headers),
            response_body=response.body,
            fetched_at=fetched_at,
            extra={k: v for k, v in extra.items() if v},
        )
        meta[META_WARC_FILE] = location.filename
        meta[META_WARC_OFFSET] = location.offset
        meta[META_FETCHED_AT] = fetched_at.isoformat(timespec="seconds")
        stats = self.crawler.stats
        stats.inc_value("nianbao/archived")
        source = meta.get(META_SOURCE)
        if source:
            stats.inc_value(f"nianbao/source/{source}/archived")
            if response.status >= 400:
                stats.inc_value(f"nianbao/source/{source}/http_errors")
        if response.status == 200 and meta.get(META_ROLE) in DOCUMENT_ROLES:
            stats.inc_value("nianbao/full_downloads")
        headers = response_headers(response)
        try:
            body = decode_content(response.body, headers.get("content-encoding"))
        except ContentDecodingError as exc:
            logger.warning("Archived %s but could not decode its body: %s", response.url, exc)
            body = response.body
        self.crawler.signals.send_catch_log(
            nianbao_signals.response_archived,
            document=FetchedDocument(
                url=response.url,
                status=response.status,
                body=body,
                headers=headers,
                fetched_at=meta[META_FETCHED_AT],
                source_id=meta.get(META_SOURCE),
                role=meta.get(META_ROLE, ROLE_OTHER),
                link_text=meta.get(META_LINK_TEXT),
                warc_file=location.filename,
                warc_offset=location.offset,
                run_id=self.run_id or None,
            ),
        )
        return response
