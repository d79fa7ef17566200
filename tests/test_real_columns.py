"""The real saved pages of tests/fixtures/real through the spider's own list step (`parse_list`),
with no family named: the list pages and API calls it asks for, the reports and only the reports,
and the agency each report's title names. Expected values were read off the stored pages by hand."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request

from crawler.sources import Source
from crawler.spiders.auto import AutoSpider
from crawler.spiders.base import META_ROLE, META_SOURCE, FamilySpider
from crawler.spiders.trs import TrsSpider
from pipeline.extraction.document import ROLE_DOCUMENT, ROLE_LIST
from pipeline.extraction.metadata import find_agency

REAL = Path(__file__).parent / "fixtures" / "real"
ORDOS = "http://127.0.0.1:8000/xxgk/xxgknb/"
# The four reports the Ordos column lists, each another agency's: none is the site's own
# (鄂尔多斯恩格贝生态示范区).
ORDOS_REPORTS = {
    "202009/t20200903_2748784.html": ("鄂尔多斯市2019年政府信息公开工作年度报告", "鄂尔多斯市"),
    "202003/t20200311_2593126.html": (
        "鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告",
        "鄂尔多斯市人民政府办公室",
    ),
    "201905/t20190530_2380968.html": ("鄂尔多斯市2018年政府信息公开年度报告", "鄂尔多斯市"),
    "201905/t20190530_2380967.html": ("内蒙古自治区2018年政府信息公开工作年度报告", "内蒙古自治区"),
}


def list_step(
    spider_class: type[FamilySpider], url: str, html: str, family: str = "auto"
) -> tuple[list[scrapy.Request], list[scrapy.Request]]:
    """(list page and API requests, report requests) of `parse_list` on a saved page."""
    host = urlsplit(url).netloc
    source = Source(
        id="real", agency="示例", family=family, start_urls=(url,), allowed_hosts=(host,),
        allow_private=True,
    )  # fmt: skip
    spider = spider_class(sources=[source])
    request = Request(url, meta={META_SOURCE: "real", META_ROLE: ROLE_LIST})
    response = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=request)
    outputs = [o for o in spider.parse_list(response) if isinstance(o, scrapy.Request)]
    pages = [o for o in outputs if o.meta[META_ROLE] == ROLE_LIST]
    reports = [o for o in outputs if o.meta[META_ROLE] == ROLE_DOCUMENT]
    return pages, reports


@pytest.mark.parametrize(("spider_class", "family"), [(AutoSpider, "auto"), (TrsSpider, "trs")])
def test_real_ordos_column_gives_its_second_page_and_its_four_reports(
    spider_class: type[FamilySpider], family: str
) -> None:
    html = (REAL / "ordos_egb_xxgknb.html").read_text(encoding="utf-8")
    pages, reports = list_step(spider_class, ORDOS, html, family)
    assert [p.url for p in pages] == [ORDOS + "index_1.html"]
    assert {r.url.removeprefix(ORDOS): r.meta["nianbao_link_text"] for r in reports} == {
        path: title for path, (title, _) in ORDOS_REPORTS.items()
    }


def test_real_ordos_reports_name_their_own_agencies() -> None:
    for title, agency in ORDOS_REPORTS.values():
        assert find_agency(title, "", source_agency="鄂尔多斯恩格贝生态示范区") == agency


def test_real_yuanzhou_news_column_gives_its_pages_and_no_report() -> None:
    url = "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/"
    html = (REAL / "yzq_zwgk_zwyw.html").read_text(encoding="utf-8")
    pages, reports = list_step(AutoSpider, url, html)
    assert [p.url for p in pages] == [url + f"index_{n}.html" for n in range(1, 120)]
    assert reports == []


def test_real_nantong_column_posts_to_dataproxy_and_gives_no_report() -> None:
    url = "http://zfcg.nantong.gov.cn/col/col31685/index.html"
    datastore = (REAL / "nantong_zfcg_col31685_datastore.xml").read_text(encoding="utf-8")
    html = f'<html><body><div id="80325"><script type="text/xml">{datastore}</script></div></body></html>'
    pages, reports = list_step(AutoSpider, url, html)
    assert [(p.method, p.url.split("?")[0]) for p in pages] == [
        ("POST", "http://zfcg.nantong.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp")
    ]
    assert b"columnid=31685" in pages[0].body and b"unitid=80325" in pages[0].body
    assert reports == []


def test_real_miit_loader_makes_the_unit_call() -> None:
    url = "https://www.miit.gov.cn/xwfb/bldhd/index.html"
    loader = (REAL / "miit_xwfb_bldhd_unit.txt").read_text(encoding="utf-8")
    pages, reports = list_step(AutoSpider, url, f"<html><body><pre>{loader}</pre></body></html>")
    assert [(p.method, urlsplit(p.url).path) for p in pages] == [
        ("GET", "/api-gateway/jpaas-publish-server/front/page/build/unit")
    ]
    assert "pageId=d3e2bede1bc045e2875fc7161c01db7d" in pages[0].url
    assert reports == []
