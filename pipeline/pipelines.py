"""Scrapy item pipelines: extract each fetched document, then store it in SQLite.

Settings read: NIANBAO_DB (the database path). Items are `archive.records.FetchedDocument` from the
family spiders; `ExtractPipeline` turns them into `ProcessedDocument`, `StorePipeline` writes them.
Extraction runs in a worker thread (it is pure and CPU-bound); all SQLite writes stay on the reactor
thread, in one connection.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.ingest import ingest
from archive.publish import prepare_for_publishing
from archive.records import FetchedDocument
from archive.schema import open_db
from archive.store import store_page, store_source
from crawler import signals as nianbao_signals
from pipeline.ingest import (
    OUTCOME_FAILED,
    ProcessedDocument,
    outcome_without_extraction,
    process_fetched,
)

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """FetchedDocument → ProcessedDocument (report, or the reason there is none)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    async def process_item(self, item: Any, spider: Spider) -> ProcessedDocument:
        if not isinstance(item, FetchedDocument):
            raise DropItem(f"not a fetched document: {type(item).__name__}")
        sources = getattr(spider, "sources", {})
        source = sources.get(item.source_id) if item.source_id else None
        processed: ProcessedDocument = await maybe_deferred_to_future(
            deferToThread(process_fetched, item, source.agency if source else None)
        )
        report = processed.report
        if processed.outcome == OUTCOME_FAILED:
            reason_key = (processed.reason or "unknown").split(":")[0][:40]
            self.stats.inc_value(f"extract/failed/{reason_key}")
            logger.warning("Could not extract %s: %s", item.url, processed.reason)
        elif report is not None:
            self.stats.inc_value(f"extract/{report.status}")
        return processed


class StorePipeline:
    """Writes page rows for every archived response and report rows for every processed document."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.db: Any = None

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

    def open_spider(self, spider: Spider) -> None:
        self.db = open_db(self.db_path)
        for source in getattr(spider, "sources", {}).values():
            store_source(self.db, source)

    def spider_closed(self, spider: Spider) -> None:
        if self.db is not None:
            prepare_for_publishing(self.db)
            self.db.close()
            self.db = None

    def response_archived(self, document: FetchedDocument) -> None:
        if self.db is not None:
            store_page(
                self.db, document, *(outcome_without_extraction(document) or ("archived", ""))
            )

    def fetch_failed(self, url: str, source_id: str | None, role: str, reason: str) -> None:
        if self.db is None:
            return
        store_page(
            self.db,
            FetchedDocument(
                url=url,
                status=0,
                body=b"",
                fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
                source_id=source_id,
                role=role,
            ),
            OUTCOME_FAILED,
            reason,
        )

    def process_item(self, item: Any, spider: Spider) -> Any:
        if not isinstance(item, ProcessedDocument):
            raise DropItem(f"not a processed document: {type(item).__name__}")
        ingest(self.db, item)
        self.crawler.stats.inc_value(f"store/{item.outcome}")
        if item.document.source_id:
            self.crawler.stats.inc_value(f"nianbao/source/{item.document.source_id}/{item.outcome}")
        return item
