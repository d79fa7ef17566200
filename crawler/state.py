"""Per-crawl shared state: the index of what the archive already holds, loaded once per crawler.

The revalidation middleware, the extract pipeline and the spiders all consult the same index; it is
read from the crawl's database (setting NIANBAO_DB) the first time one of them asks.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from archive.known import KnownDocuments

_known: WeakKeyDictionary[Crawler, KnownDocuments] = WeakKeyDictionary()


def known_documents(crawler: Crawler) -> KnownDocuments:
    """The stored report versions at the start of this crawl."""
    if crawler not in _known:
        db_path = crawler.settings.get("NIANBAO_DB")
        _known[crawler] = KnownDocuments.load(db_path) if db_path else KnownDocuments()
    return _known[crawler]


def use_known_documents(crawler: Crawler, known: KnownDocuments) -> None:
    """Give this crawler `known` as its index (the revisit bench plays nights without a database)."""
    _known[crawler] = known
