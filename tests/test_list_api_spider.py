"""The spider's side of list APIs, in process: answers followed, POSTed pages told apart, an
endless API cut at the source's page cap (`NIANBAO_MAX_LIST_PAGES`) with the cut recorded."""

from __future__ import annotations

import json
from typing import Any

import scrapy
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from crawler.spiders.auto import AutoSpider
from crawler.spiders.base import META_REFUSED, META_ROLE, META_SOURCE
from crawler.spiders.column import META_LIST_STYLE
from crawler.spiders.list_apis import STYLE_JPAAS_UNIT, STYLE_JSON_LIST
from pipeline.extraction.document import ROLE_DOCUMENT, ROLE_LIST

SOURCE = Source(
    id="city",
    agency="示例市人民政府",
    family="auto",
    start_urls=("http://www.example-city.gov.cn/",),
    allowed_hosts=("www.example-city.gov.cn",),
)
SITE = "http://www.example-city.gov.cn"
UNIT = SITE + "/api-gateway/jpaas-publish-server/front/page/build/unit"


def spider_with(max_pages: int) -> AutoSpider:
    crawler = get_crawler(AutoSpider, settings_dict={"NIANBAO_MAX_LIST_PAGES": max_pages})
    spider = AutoSpider(sources=[SOURCE])
    spider.crawler = crawler
    return spider


def answer(url: str, body: str, style: str, form: str = "") -> TextResponse:
    request = Request(
        url,
        method="POST" if form else "GET",
        body=form or None,
        meta={META_SOURCE: SOURCE.id, META_ROLE: ROLE_LIST, META_LIST_STYLE: style},
    )
    return TextResponse(url, body=body.encode(), encoding="utf-8", request=request)


def requests_of(outputs: Any) -> list[scrapy.Request]:
    return [o for o in outputs if isinstance(o, scrapy.Request)]


def test_an_endless_list_api_is_cut_at_the_page_cap_and_the_cut_recorded() -> None:
    spider = spider_with(max_pages=3)
    # An API that lists a report on every page it is asked for, forever.
    url = UNIT + '?webId=1&pageId=2&tplSetId=3&paramJson={"pageNo":1,"pageSize":1}'
    refused = 0
    for _ in range(6):
        html = (
            '<ul><li><a href="/art/1.html" title="2023年政府信息公开工作年度报告">x</a></li></ul>'
        )
        body = json.dumps({"data": {"html": html}}, ensure_ascii=False)
        calls = [
            r
            for r in requests_of(spider.parse_list_call(answer(url, body, STYLE_JPAAS_UNIT)))
            if r.meta[META_ROLE] == ROLE_LIST
        ]
        if not calls:
            break
        if META_REFUSED in calls[0].meta:
            refused += 1
            break
        url = calls[0].url
    assert refused == 1
    assert spider.crawler.stats.get_value("nianbao/source/city/list_pages_capped") == 1


def test_posted_pages_of_one_url_are_each_asked_once() -> None:
    spider = spider_with(max_pages=200)
    api = SITE + "/xxgk/api/getInfoList"
    items = [{"title": "2022年政府信息公开工作年度报告", "url": "/nb/t1.html"}]
    body = json.dumps({"data": {"list": items, "totalPage": 3}}, ensure_ascii=False)
    first = requests_of(
        spider.parse_list_call(answer(api, body, STYLE_JSON_LIST, "catId=nb&pageIndex=1"))
    )
    again = requests_of(
        spider.parse_list_call(answer(api, body, STYLE_JSON_LIST, "catId=nb&pageIndex=2"))
    )
    pages = [r for r in first if r.meta[META_ROLE] == ROLE_LIST]
    assert [(r.method, r.url, r.body) for r in pages] == [
        ("POST", api, b"catId=nb&pageIndex=2"),
        ("POST", api, b"catId=nb&pageIndex=3"),
    ]
    assert [r.meta[META_ROLE] for r in first if r not in pages] == [ROLE_DOCUMENT]
    # Page 2's answer announces page 3 again: not asked twice.
    assert [r for r in again if r.meta[META_ROLE] == ROLE_LIST] == []
