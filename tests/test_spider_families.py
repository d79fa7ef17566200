"""The family spiders against the running sample portal: each parse step on real served pages."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from crawler.spiders.base import META_LINK_TEXT, META_ROLE, META_SOURCE, FamilySpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.links import canonical_url, links_of
from crawler.spiders.plain import PlainSpider
from crawler.spiders.trs import TrsSpider
from pipeline.extraction.document import (
    ROLE_ATTACHMENT,
    ROLE_DOCUMENT,
    ROLE_LIST,
    ROLE_OTHER,
    FetchedDocument,
)
from portal.content import noise_items
from portal.server import SamplePortal

# 45 synthetic reports: 15 per family, enough for two or three list pages on every site.
SYNTHETIC = 45


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(synthetic=SYNTHETIC, seed=11) as running:
        yield running


def spider_for(portal: SamplePortal, spider_class: type[FamilySpider]) -> FamilySpider:
    return spider_class(sources=portal.sources())


def fetch(spider: FamilySpider, url: str, role: str = ROLE_LIST) -> Response:
    with urllib.request.urlopen(url, timeout=10) as served:
        body, headers = served.read(), dict(served.headers)
    source = next(iter(spider.sources.values()))
    request = Request(url, meta={META_SOURCE: source.id, META_ROLE: role})
    content_type = headers.get("Content-Type", "")
    kind = (
        HtmlResponse
        if "html" in content_type
        else TextResponse
        if "text/" in content_type
        else Response
    )
    return kind(url, body=body, headers=headers, request=request)


def requests_of(outputs: Any) -> list[scrapy.Request]:
    return [o for o in outputs if isinstance(o, scrapy.Request)]


def html_truth(portal: SamplePortal, family: str) -> set[str]:
    base = portal.site(family).base_url
    return {url for url in portal.truth if url.startswith(base)}


def crawl_list(spider: FamilySpider, first_url: str) -> tuple[list[scrapy.Request], list[str]]:
    """parse_list over the column and every page it announces: (document requests, list pages)."""
    pending, seen, documents = [first_url], {canonical_url(first_url)}, []
    while pending:
        response = fetch(spider, pending.pop())
        for request in requests_of(spider.parse_list(response)):
            if request.meta[META_ROLE] == ROLE_LIST:
                if request.url not in seen:
                    seen.add(request.url)
                    pending.append(request.url)
            else:
                documents.append(request)
    return documents, sorted(seen)


def column_url(portal: SamplePortal, family: str) -> str:
    paths = {
        "trs": "/zwgk/zfxxgk/zfxxgknb/",
        "hanweb": "/col/col123/index.html",
        "plain": "/zwgk/ndbg/",
    }
    return portal.site(family).base_url + paths[family]


@pytest.mark.parametrize("spider_class", [TrsSpider, HanwebSpider, PlainSpider])
def test_home_leads_to_open_gov_then_to_the_report_column(
    portal: SamplePortal, spider_class: type[FamilySpider]
) -> None:
    spider = spider_for(portal, spider_class)
    home = fetch(spider, portal.site(spider.family).base_url + "/", ROLE_OTHER)
    (open_gov,) = requests_of(spider.parse_home(home))
    assert open_gov.meta[META_LINK_TEXT] == "政务公开"
    assert open_gov.meta[META_ROLE] == ROLE_OTHER
    column_requests = requests_of(spider.parse_home(fetch(spider, open_gov.url, ROLE_OTHER)))
    assert [r.url for r in column_requests] == [canonical_url(column_url(portal, spider.family))]
    assert column_requests[0].meta[META_ROLE] == ROLE_LIST


def test_trs_list_pages_come_from_the_create_page_html_call(portal: SamplePortal) -> None:
    spider = spider_for(portal, TrsSpider)
    first = fetch(spider, column_url(portal, "trs"))
    assert b"index_1.htm" not in first.body  # the pager is a script call, not links
    pages = [r.url for r in requests_of(spider.parse_list(first)) if r.meta[META_ROLE] == ROLE_LIST]
    assert pages == [column_url(portal, "trs") + "index_1.htm"]


@pytest.mark.parametrize("family", ["trs", "hanweb"])
def test_list_pages_yield_every_report_page_and_no_noise(portal: SamplePortal, family: str) -> None:
    spider = spider_for(portal, {"trs": TrsSpider, "hanweb": HanwebSpider}[family])
    documents, pages = crawl_list(spider, column_url(portal, family))
    assert len(pages) >= 2
    assert {r.url for r in documents} == html_truth(portal, family)
    assert all(r.meta[META_ROLE] == ROLE_DOCUMENT for r in documents)
    noise_titles = {item.title for item in noise_items(10, portal.site(family).agency)}
    assert not noise_titles & {r.meta[META_LINK_TEXT] for r in documents}


def test_hanweb_paging_requests_every_page_num(portal: SamplePortal) -> None:
    spider = spider_for(portal, HanwebSpider)
    first = fetch(spider, column_url(portal, "hanweb"))
    pages = [r.url for r in requests_of(spider.parse_list(first)) if r.meta[META_ROLE] == ROLE_LIST]
    assert pages and all("pageNum=" in url for url in pages)
    assert pages[-1].endswith("pageNum=2&uid=4567")


def test_hanweb_titles_are_decoded_from_gbk(portal: SamplePortal) -> None:
    spider = spider_for(portal, HanwebSpider)
    documents, _ = crawl_list(spider, column_url(portal, "hanweb"))
    titles = {r.meta[META_LINK_TEXT] for r in documents}
    assert "清远市民政局2020年政府信息公开工作年度报告" in titles
    assert "濮阳市民政局2020年度政府信息和政务公开工作自查情况的报告" in titles


def test_hanweb_page_with_lying_meta_is_read_as_gbk(portal: SamplePortal) -> None:
    spider = spider_for(portal, HanwebSpider)
    url = next(
        u for u, t in portal.truth.items() if t.agency == "清远市民政局" and u.endswith(".html")
    )
    response = fetch(spider, url, ROLE_DOCUMENT)
    assert "清远市民政局" in response.text
    (document,) = list(spider.parse_document(response))
    assert isinstance(document, FetchedDocument) and document.body == response.body


@pytest.mark.parametrize(
    ("family", "spider_class"),
    [("trs", TrsSpider), ("hanweb", HanwebSpider), ("plain", PlainSpider)],
)
def test_report_linked_twice_is_requested_once(
    portal: SamplePortal, family: str, spider_class: type[FamilySpider]
) -> None:
    spider = spider_for(portal, spider_class)
    _, pages = crawl_list(spider, column_url(portal, family))
    checked = 0
    for page in pages:
        response = fetch(spider, page)
        hrefs = re.findall(r'<a href="([^"]+)" title=|<td><a href="([^"]+)">', response.text)
        spellings: dict[str, set[str]] = {}
        for href in (a or b for a, b in hrefs):
            spellings.setdefault(canonical_url(urljoin(response.url, href)), set()).add(href)
        twice = [url for url, raw in spellings.items() if len(raw) == 2]
        requests = requests_of(spider.parse_list(response))
        urls = [r.url for r in requests if r.meta[META_ROLE] != ROLE_LIST]
        assert len(urls) == len(set(urls))
        for url in twice:
            assert urls.count(url) == 1
            checked += 1
    assert checked  # some page of the column links a report under two spellings


def test_plain_list_follows_next_page_links_to_the_end(portal: SamplePortal) -> None:
    spider = spider_for(portal, PlainSpider)
    documents, pages = crawl_list(spider, column_url(portal, "plain"))
    assert len(pages) == 3
    titles = {r.meta[META_LINK_TEXT] for r in documents}
    assert len(titles) == len(documents) == 5 + SYNTHETIC // 3


def test_plain_first_list_page_requests_every_later_page_at_once(portal: SamplePortal) -> None:
    spider = spider_for(portal, PlainSpider)
    first = fetch(spider, column_url(portal, "plain"))
    assert "共3页" in first.text
    pages = [r.url for r in requests_of(spider.parse_list(first)) if r.meta[META_ROLE] == ROLE_LIST]
    assert pages == [column_url(portal, "plain") + f"list_{n}.html" for n in (2, 3)]


def test_plain_list_page_announces_each_later_page_only_once(portal: SamplePortal) -> None:
    spider = spider_for(portal, PlainSpider)
    list(spider.parse_list(fetch(spider, column_url(portal, "plain"))))
    second = fetch(spider, column_url(portal, "plain") + "list_2.html")
    pages = [
        r.url for r in requests_of(spider.parse_list(second)) if r.meta[META_ROLE] == ROLE_LIST
    ]
    assert pages == []


def _plain_list_response(pager: str) -> HtmlResponse:
    body = f'<p class="pager">{pager}</p>'.encode()
    request = Request("http://a.example/ndbg/index.html", meta={META_SOURCE: "s"})
    return HtmlResponse(request.url, body=body, encoding="utf-8", request=request)


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        # Stated position and a numbered next page: every later page.
        ('第1页/共4页 <a href="list_2.html">下一页</a>', ["list_2", "list_3", "list_4"]),
        # Counted from 0 (index_1 is page 2), the position in the a.b/c form.
        ('当前1/3页 <a href="index_1.html">下一页</a>', ["index_1", "index_2"]),
        # No stated count: only the next page, as before.
        ('<a href="list_2.html">下一页</a>', ["list_2"]),
        # A next page whose URL does not carry its number: only that page.
        ('第1页/共4页 <a href="more.html">下一页</a>', ["more"]),
    ],
)
def test_plain_pages_come_from_the_pager_count_when_the_next_page_is_numbered(
    pager: str, expected: list[str]
) -> None:
    response = _plain_list_response(pager)
    urls = PlainSpider().page_urls(response, links_of(response))
    assert urls == [f"http://a.example/ndbg/{name}.html" for name in expected]


def test_plain_pages_skip_a_date_in_the_next_page_query() -> None:
    response = _plain_list_response('第2页/共5页 <a href="list.jsp?d=20190102&p=3">下一页</a>')
    urls = PlainSpider().page_urls(response, links_of(response))
    assert urls == [f"http://a.example/ndbg/list.jsp?d=20190102&p={n}" for n in (3, 4, 5)]


def test_plain_detail_page_follows_its_attachments(portal: SamplePortal) -> None:
    spider = spider_for(portal, PlainSpider)
    documents, _ = crawl_list(spider, column_url(portal, "plain"))
    attachments: list[scrapy.Request] = []
    for request in documents:
        outputs = list(spider.parse_document(fetch(spider, request.url, ROLE_DOCUMENT)))
        assert isinstance(outputs[0], FetchedDocument) and outputs[0].role == ROLE_DOCUMENT
        attachments.extend(requests_of(outputs))
    assert {r.url for r in attachments} == html_truth(portal, "plain")
    assert all(r.meta[META_ROLE] == ROLE_ATTACHMENT for r in attachments)
    assert all(r.callback == spider.parse_attachment for r in attachments)


def test_attachment_becomes_a_document_item(portal: SamplePortal) -> None:
    spider = spider_for(portal, PlainSpider)
    url = next(u for u in html_truth(portal, "plain") if u.endswith(".pdf"))
    (item,) = list(spider.parse_attachment(fetch(spider, url, ROLE_ATTACHMENT)))
    assert item.url == url and item.role == ROLE_ATTACHMENT and item.body.startswith(b"%PDF")
