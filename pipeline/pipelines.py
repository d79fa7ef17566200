"""The item pipeline: record every archived response in SQLite as it arrives.

Settings read: NIANBAO_DB (the database path), NIANBAO_EXTRACT_AHEAD_DIR and
NIANBAO_EXTRACT_AHEAD_WORKERS (`pipeline.ahead`). Items are `FetchedDocument`s from the family
spiders. A crawl fetches and archives first: `StorePipeline` gives each response its page row as it
is archived (through `pipeline.signals`), marks each document `pending`, and `nianbao crawl`
extracts them all once the fetching is done (`archive.load`), on every core and off the reactor's
way; meanwhile the cores the reactor leaves idle extract them ahead (`pipeline.ahead`). All SQLite
writes stay on the reactor thread, in one connection (`pipeline.batched_db`).

A database filling while the crawl goes is no reason to extract during the fetch: `nianbao serve
--live` shows the page rows as they are archived and the reports once they are loaded.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from archive.clock import CLOCK_OFFSET_SETTING, clock_now
from archive.load import mark_pending
from archive.runs import failed_request_document
from archive.store import store_page, store_source
from archive.versions import CHANGE_NONE, REPORTS_REWRITTEN_STAT, ingest, outcome_stat_keys
from pipeline import signals as nianbao_signals
from pipeline.ahead import ExtractAhead, acquire_ahead, ahead_workers, release_ahead
from pipeline.batched_db import BatchedDatabase, acquire_database, release_database
from pipeline.extraction.document import (
    OUTCOME_ARCHIVED,
    OUTCOME_FAILED,
    FetchedDocument,
)
from pipeline.extraction.outcome import (
    ProcessedDocument,
    needs_extraction,
    outcome_without_extraction,
)

logger = logging.getLogger(__name__)


def source_agency(crawler: Crawler, document: FetchedDocument) -> str | None:
    """The agency of the portal `document` came from: extraction's fallback."""
    source = getattr(crawler.spider, "sources", {}).get(document.source_id or "")
    return source.agency if source is not None else None


class StorePipeline:
    """Writes page rows for every archived response and report rows for every processed document."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.db: BatchedDatabase | None = None
        self.ahead: ExtractAhead | None = None
        # Requests that got no response at all: kept for the run record, so a rebuild has them too.
        self.failed_requests: list[dict[str, Any]] = []
        crawler.stats.set_value("nianbao/failed_requests", self.failed_requests)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured("NIANBAO_DB is not set")
        pipeline = cls(crawler, db_path)
        crawler.signals.connect(
            pipeline.response_archived, signal=nianbao_signals.response_archived
        )
        crawler.signals.connect(pipeline.fetch_failed, signal=nianbao_signals.fetch_failed)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        # Shared by the crawl's spiders and committed in batches (pipeline.batched_db).
        self.db = acquire_database(self.db_path)
        settings = self.crawler.settings
        spool_dir = settings.get("NIANBAO_EXTRACT_AHEAD_DIR")
        workers = ahead_workers(settings)
        if spool_dir and workers:
            self.ahead = acquire_ahead(spool_dir, settings.get("NIANBAO_ARCHIVE_DIR"), workers)
        for source in getattr(self.crawler.spider, "sources", {}).values():
            self.db.write(store_source, source)

    def spider_closed(self, spider: Spider | None = None) -> None:
        if self.db is not None:
            if self.db.reports_changed:
                # The runner publishes once every spider is done and the documents are loaded.
                self.crawler.stats.set_value(REPORTS_REWRITTEN_STAT, 1)
            release_database(self.db)
            self.db = None
        if self.ahead is not None:
            release_ahead(self.ahead)
            self.ahead = None

    def _count(self, document: FetchedDocument, change: str, outcome: str, reason: str) -> None:
        for key in outcome_stat_keys(document.source_id, change, outcome, reason):
            self.crawler.stats.inc_value(key)
        if outcome == OUTCOME_FAILED:
            # The recovery pass (crawler.extensions.recovery) decides whether this one gets another attempt.
            self.crawler.signals.send_catch_log(
                nianbao_signals.document_failed, document=document, reason=reason
            )

    def response_archived(self, document: FetchedDocument) -> None:
        if self.db is None:
            return
        settled = outcome_without_extraction(document)
        if settled is None:
            # Provisional: a middleware nearer the spider may still refuse the response (a
            # decompression bomb). The spider's item says it was taken: it brings the extraction,
            # or marks the page pending.
            self.db.write(store_page, document, OUTCOME_ARCHIVED)
            return
        result = self.db.write(ingest, ProcessedDocument(document, *settled))
        self.db.reports_changed |= result.rewrote
        self._count(document, result.change, settled[0], settled[1])

    def fetch_failed(
        self, url: str, source_id: str | None, role: str, reason: str, link_text: str | None = None
    ) -> None:
        offset = self.crawler.settings.getfloat(CLOCK_OFFSET_SETTING)
        fetched_at = clock_now(offset).isoformat(timespec="seconds")
        failure = {
            "url": url,
            "source_id": source_id,
            "role": role,
            "reason": reason,
            "fetched_at": fetched_at,
        }
        if link_text:
            failure["link_text"] = link_text
        self.failed_requests.append(failure)
        document = failed_request_document(failure, self.crawler.settings.get("NIANBAO_RUN_ID"))
        self._count(document, CHANGE_NONE, OUTCOME_FAILED, reason)
        if self.db is not None:
            self.db.write(store_page, document, OUTCOME_FAILED, reason)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchedDocument):
            raise DropItem(f"not a fetched document: {type(item).__name__}")
        assert self.db is not None
        if needs_extraction(item):
            # Extracted with every other document once the fetching is done (archive.load);
            # a 304's stored copy and settled responses have their final page rows already.
            self.db.write(mark_pending, item)
            if self.ahead is not None:
                self.ahead.submit(item, source_agency(self.crawler, item))
        return item
