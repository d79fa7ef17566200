"""A second chance within the run for report documents that failed in an earlier run as well.

A document that failed last night (a challenge page, a redirect loop, a server error past its
retries…) and fails again tonight is retried once the crawl has nothing else to do, up to
NIANBAO_RECOVERY_ATTEMPTS more times, each after a backoff delay. Failures are mostly transient, and
a report that already missed one run should not have to wait for a third; documents failing for the
first time keep the ordinary retries only, so a portal that blocks us is not asked twice over.

Settings read: NIANBAO_DB (where earlier failures are recorded), NIANBAO_RECOVERY_ATTEMPTS (0 turns
this off), NIANBAO_RETRY_BASE_DELAY / NIANBAO_RETRY_MAX_DELAY (the delay before each attempt).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlite_utils
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured

from crawler.middlewares.retry import META_RETRY_DELAY, backoff_delay
from crawler.spiders.base import FamilySpider
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import DOCUMENT_ROLES, ROLE_ATTACHMENT, FetchedDocument

logger = logging.getLogger(__name__)

# No network answer will change these: the request never left the machine.
_NOT_RECOVERABLE = ("robots.txt",)


def failed_before(db_path: str | Path) -> set[str]:
    """Report document URLs that some earlier run recorded as failed and no run has archived since."""
    if not Path(db_path).is_file():
        return set()
    db = sqlite_utils.Database(db_path)
    try:
        if not {"pages", "reports"} <= set(db.table_names()):
            return set()
        roles = sorted(DOCUMENT_ROLES)
        rows = db.execute(
            f"""
            SELECT DISTINCT url FROM pages
            WHERE outcome = 'failed' AND role IN ({", ".join("?" for _ in roles)})
              AND url NOT IN (SELECT url FROM reports)
            """,
            roles,
        )
        return {url for (url,) in rows}
    finally:
        db.close()


class RecoveryPass:
    """Scrapy extension: re-requests twice-failed documents when the spider would otherwise close."""

    def __init__(self, crawler: Crawler, db_path: str, attempts: int) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.attempts = attempts
        self.base_delay = crawler.settings.getfloat("NIANBAO_RETRY_BASE_DELAY", 1.0)
        self.max_delay = crawler.settings.getfloat("NIANBAO_RETRY_MAX_DELAY", 60.0)
        self.candidates: set[str] = set()
        self.tried: dict[str, int] = {}  # URL -> recovery attempts made this run
        self.pending: dict[str, FetchedDocument] = {}  # failed again, waiting for the idle pass

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecoveryPass:
        db_path = crawler.settings.get("NIANBAO_DB")
        attempts = crawler.settings.getint("NIANBAO_RECOVERY_ATTEMPTS", 2)
        if not db_path or attempts <= 0:
            # No database to learn earlier failures from, or attempts = 0: normal on a first run.
            # No message, which Scrapy would log as a warning on every such run.
            raise NotConfigured
        extension = cls(crawler, db_path, attempts)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.document_failed, signal=nianbao_signals.document_failed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.candidates = failed_before(self.db_path)

    def document_failed(self, document: FetchedDocument, reason: str) -> None:
        url = document.url
        if url not in self.candidates or document.role not in DOCUMENT_ROLES:
            return
        if document.status == 200 or any(mark in reason for mark in _NOT_RECOVERABLE):
            return  # the bytes came and could not be read: fetching them again reads the same
        if self.tried.get(url, 0) < self.attempts:
            self.pending[url] = document

    def item_scraped(self, item: Any, spider: Spider) -> None:
        # A processed document when extracting during the crawl; else the fetched one, whose
        # extraction comes after the fetch.
        document = item if isinstance(item, FetchedDocument) else getattr(item, "document", None)
        if document is None or document.url not in self.tried:
            return
        outcome = getattr(item, "outcome", None)
        if (outcome != "failed") if outcome is not None else document.status == 200:
            self.crawler.stats.inc_value("nianbao/recovery/recovered")

    def spider_idle(self, spider: Spider) -> None:
        if not self.pending or not isinstance(spider, FamilySpider):
            return
        sources = spider.sources
        scheduled = 0
        for url, document in sorted(self.pending.items()):
            source = sources.get(document.source_id or "")
            if source is None:
                continue
            attempt = self.tried.get(url, 0) + 1
            self.tried[url] = attempt
            callback = (
                spider.parse_attachment
                if document.role == ROLE_ATTACHMENT
                else spider.parse_document
            )
            request = spider.follow(
                url,
                source,
                document.role,
                callback,
                link_text=document.link_text,
                dont_filter=True,
                meta={META_RETRY_DELAY: backoff_delay(attempt, self.base_delay, self.max_delay)},
            )
            self.crawler.engine.crawl(request)
            scheduled += 1
        self.pending.clear()
        if scheduled:
            self.crawler.stats.inc_value("nianbao/recovery/attempts", scheduled)
            logger.info("Recovery pass: %d documents that failed in an earlier run too", scheduled)
            raise DontCloseSpider
