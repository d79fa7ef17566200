"""The store pipeline in process, built with `get_crawler`: every archived response gets its page row
as it arrives, documents wait as `pending` for the load, nothing else passes as an item, and a
request with no response is recorded as failed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler
from test_rebuild import BASE, SOURCE, archive_exchange

from archive.load import load_pending
from archive.warc_store import WarcWriter
from crawler.spiders.plain import PlainSpider
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import (
    NOT_MODIFIED_HEADER,
    OUTCOMES,
    ROLE_ATTACHMENT,
    ROLE_LIST,
    FetchedDocument,
)
from pipeline.pipelines import StorePipeline
from portal.content import SEEDS_DIR


@pytest.fixture
def store(tmp_path: Path) -> Any:
    crawler = get_crawler(
        PlainSpider,
        settings_dict={"NIANBAO_DB": str(tmp_path / "nianbao.db"), "NIANBAO_RUN_ID": "run-1"},
    )
    crawler.spider = PlainSpider(sources=[SOURCE])
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    yield pipeline
    pipeline.spider_closed()


def archived(
    tmp_path: Path, path: str, role: str, body: bytes, status: int = 200
) -> FetchedDocument:
    """A response as the archive middleware hands it on: written to a real WARC file first."""
    with WarcWriter(tmp_path / "archive") as writer:
        return archive_exchange(writer, path, role, body, datetime.now(UTC), status)


def pages(store: Any) -> dict[str, tuple[str, str]]:
    if store.db is not None:
        store.db.commit()
    rows = sqlite_utils.Database(store.db_path).query("select url, outcome, reason from pages")
    return {row["url"].removeprefix(BASE): (row["outcome"], row["reason"]) for row in rows}


def send(store: Any, signal: object, **kwargs: Any) -> None:
    store.crawler.signals.send_catch_log(signal, **kwargs)


def test_the_store_pipeline_is_off_without_a_database() -> None:
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(get_crawler(PlainSpider))


def test_every_archived_response_gets_its_page_row_and_documents_wait_as_pending(
    store: Any, tmp_path: Path
) -> None:
    listing = archived(tmp_path, "/list.html", ROLE_LIST, b"<a href='r.txt'>2024</a>")
    report_text = sorted(SEEDS_DIR.glob("*.txt"))[0].read_bytes()
    report = archived(tmp_path, "/r.txt", ROLE_ATTACHMENT, report_text)
    gone = archived(tmp_path, "/gone.txt", ROLE_ATTACHMENT, b"not found", status=404)
    for document in (listing, report, gone):
        send(store, nianbao_signals.response_archived, document=document)
    for document in (listing, report):  # the spider's items (a 404 yields none)
        assert store.process_item(document) is document

    assert pages(store) == {
        "/list.html": ("archived", ""),
        "/r.txt": ("pending", ""),
        "/gone.txt": ("failed", "HTTP 404"),
    }
    assert set(outcome for outcome, _ in pages(store).values()) <= set(OUTCOMES)

    store.spider_closed()
    loaded = load_pending(store.db_path, tmp_path / "archive", workers=0)
    assert loaded.documents == 1 and loaded.failed == 0
    db = sqlite_utils.Database(store.db_path)
    (outcome,) = [
        r["outcome"] for r in db.query("select outcome from pages where url like '%r.txt'")
    ]
    assert outcome == "extracted" and db["reports"].count == 1


def test_the_stored_copy_standing_in_for_a_304_is_not_marked_pending(
    store: Any, tmp_path: Path
) -> None:
    report = archived(tmp_path, "/r.txt", ROLE_ATTACHMENT, b"report text")
    send(store, nianbao_signals.response_archived, document=report)
    report.headers[NOT_MODIFIED_HEADER.lower()] = "1"
    store.process_item(report)
    assert pages(store)["/r.txt"] == ("archived", "")


def test_anything_but_a_fetched_document_is_dropped(store: Any) -> None:
    with pytest.raises(DropItem, match="not a fetched document"):
        store.process_item({"url": BASE + "/x"})


def test_a_request_with_no_response_is_recorded_as_failed_with_its_reason(store: Any) -> None:
    send(
        store,
        nianbao_signals.fetch_failed,
        url=BASE + "/r.pdf",
        source_id=SOURCE.id,
        role=ROLE_ATTACHMENT,
        reason="TimeoutError: took longer than 180 seconds",
    )
    assert pages(store)["/r.pdf"] == ("failed", "TimeoutError: took longer than 180 seconds")
    assert store.failed_requests[0]["url"] == BASE + "/r.pdf"
