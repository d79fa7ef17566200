"""The downloader middlewares in process, each built from a crawler with `get_crawler` as Scrapy's own
tests build theirs: what each does with a request, a response or an exception, and what it tells
the store pipeline (`pipeline.signals`) and the stats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError as TwistedConnectionRefused

from archive.warc_read import read_record
from crawler.middlewares.archive import WarcArchiveMiddleware
from crawler.middlewares.challenges import ChallengeDetectionMiddleware
from crawler.middlewares.failures import FailureRecorderMiddleware
from crawler.middlewares.host_guard import HostGuardMiddleware
from crawler.sources import Source
from crawler.spiders.base import META_ROLE, META_SOURCE, META_WARC_FILE, META_WARC_OFFSET
from crawler.spiders.plain import PlainSpider
from pipeline import signals as nianbao_signals
from pipeline.extraction.document import ROLE_DOCUMENT, FetchedDocument
from portal.behaviour import JSL_PAGE, RUISHU_PAGE

# A public portal: the host guard refuses loopback and private addresses to a source like this.
SOURCE = Source(
    id="county",
    agency="示例县人民政府",
    family="plain",
    start_urls=("https://www.example-county.gov.cn/",),
    allowed_hosts=("www.example-county.gov.cn",),
)
REPORT_URL = "https://www.example-county.gov.cn/xxgk/2024/report.html"


def crawler_with(**settings: Any) -> Any:
    """A crawler whose spider knows `SOURCE`, as a crawl's family spider does."""
    crawler = get_crawler(PlainSpider, settings_dict=settings)
    crawler.spider = PlainSpider(sources=[SOURCE])
    return crawler


def heard(crawler: Any, signal: object) -> list[dict[str, Any]]:
    """Every sending of `signal` on `crawler`, as keyword arguments."""
    received: list[dict[str, Any]] = []

    def receive(**kwargs: Any) -> None:
        kwargs.pop("signal", None)
        kwargs.pop("sender", None)
        received.append(kwargs)

    crawler.signals.connect(receive, signal=signal, weak=False)
    return received


def report_request() -> Request:
    return Request(REPORT_URL, meta={META_SOURCE: SOURCE.id, META_ROLE: ROLE_DOCUMENT})


def test_the_archive_middleware_writes_each_response_before_anything_reads_it(
    tmp_path: Path,
) -> None:
    crawler = crawler_with(NIANBAO_ARCHIVE_DIR=str(tmp_path), NIANBAO_RUN_ID="run-1")
    archived = heard(crawler, nianbao_signals.response_archived)
    middleware = WarcArchiveMiddleware.from_crawler(crawler)
    request = report_request()
    body = "<html><title>示例县2024年政府信息公开工作年度报告</title></html>".encode()
    response = HtmlResponse(REPORT_URL, body=body, request=request, headers={"ETag": '"v1"'})

    assert middleware.process_response(request, response) is response
    middleware.spider_closed()

    (sent,) = archived
    document: FetchedDocument = sent["document"]
    assert (document.url, document.status, document.body) == (REPORT_URL, 200, body)
    assert (document.source_id, document.role, document.run_id) == (SOURCE.id, "document", "run-1")
    stored = read_record(tmp_path, request.meta[META_WARC_FILE], request.meta[META_WARC_OFFSET])
    assert stored.body == body and stored.headers["etag"] == '"v1"'
    assert crawler.stats.get_value("nianbao/source/county/archived") == 1


def test_the_archive_middleware_is_off_without_an_archive_directory() -> None:
    with pytest.raises(NotConfigured):
        WarcArchiveMiddleware.from_crawler(crawler_with())


@pytest.mark.parametrize(
    ("page", "status"), [(RUISHU_PAGE, 412), (JSL_PAGE, 521)], ids=["ruishu", "jiasule"]
)
def test_a_challenge_page_is_dropped_and_counted_as_blocked(page: bytes, status: int) -> None:
    crawler = crawler_with()
    middleware = ChallengeDetectionMiddleware.from_crawler(crawler)
    request = report_request()
    response = HtmlResponse(REPORT_URL, status=status, body=page, request=request)
    with pytest.raises(IgnoreRequest, match="blocked"):
        middleware.process_response(request, response)
    assert crawler.stats.get_value("nianbao/source/county/blocked") == 1


def test_an_ordinary_page_passes_the_challenge_check() -> None:
    crawler = crawler_with()
    middleware = ChallengeDetectionMiddleware.from_crawler(crawler)
    request = report_request()
    response = HtmlResponse(REPORT_URL, body="<p>年度报告</p>".encode(), request=request)
    assert middleware.process_response(request, response) is response
    assert crawler.stats.get_value("nianbao/blocked") is None


def test_a_request_that_got_no_response_is_reported_to_the_store_pipeline() -> None:
    crawler = crawler_with()
    failed = heard(crawler, nianbao_signals.fetch_failed)
    middleware = FailureRecorderMiddleware.from_crawler(crawler)
    request = report_request()

    assert middleware.process_exception(request, TwistedConnectionRefused()) is None

    (sent,) = failed
    assert (sent["url"], sent["source_id"], sent["role"]) == (REPORT_URL, SOURCE.id, "document")
    assert sent["reason"].startswith("ConnectionRefusedError")
    assert crawler.stats.get_value("nianbao/source/county/fetch_failed") == 1


def redirect(request: Request, location: str) -> Response:
    return Response(request.url, status=302, headers={"Location": location}, request=request)


def test_a_redirect_off_the_portal_is_refused_and_recorded_under_the_url_asked_for() -> None:
    crawler = crawler_with()
    failed = heard(crawler, nianbao_signals.fetch_failed)
    middleware = HostGuardMiddleware.from_crawler(crawler)
    request = report_request()

    with pytest.raises(IgnoreRequest, match="refused"):
        middleware.process_response(request, redirect(request, "https://ads.example.com/x"))

    (sent,) = failed
    assert sent["url"] == REPORT_URL and "ads.example.com" in sent["reason"]
    assert crawler.stats.get_value("nianbao/refused") == 1


def test_a_redirect_within_the_portal_passes_the_host_guard() -> None:
    middleware = HostGuardMiddleware.from_crawler(crawler_with())
    request = report_request()
    response = redirect(request, "/xxgk/2024/report-new.html")
    assert middleware.process_response(request, response) is response


def test_a_redirect_loop_is_cut_after_the_allowed_hops() -> None:
    middleware = HostGuardMiddleware.from_crawler(crawler_with(NIANBAO_MAX_REDIRECTS=3))
    request = report_request()
    request.meta["redirect_urls"] = [REPORT_URL] * 3
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        middleware.process_response(request, redirect(request, REPORT_URL))


def test_a_page_whose_callback_raised_is_recorded_as_failed_with_the_error() -> None:
    from crawler.middlewares.spider_errors import SpiderErrorRecorderMiddleware

    crawler = crawler_with()
    failed = heard(crawler, nianbao_signals.fetch_failed)
    middleware = SpiderErrorRecorderMiddleware.from_crawler(crawler)
    request = Request(REPORT_URL, meta={META_SOURCE: SOURCE.id, META_ROLE: "list"})
    response = HtmlResponse(REPORT_URL, body=b"<html></html>", request=request)

    assert middleware.process_spider_exception(response, KeyError("total")) is None

    (sent,) = failed
    assert (sent["url"], sent["source_id"], sent["role"]) == (REPORT_URL, SOURCE.id, "list")
    assert sent["reason"] == "spider error: KeyError: 'total'"
    assert crawler.stats.get_value("nianbao/source/county/spider_errors") == 1
