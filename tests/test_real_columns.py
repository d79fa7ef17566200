"""The real saved pages of tests/fixtures/real through the spider's own list step (`parse_list`),
with no family named: the list pages and API calls it asks for, the reports and only the reports,
and the agency each report's title names. Expected values were read off the stored pages by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.sources import Source
from crawler.spiders.auto import AutoSpider
from crawler.spiders.base import META_ROLE, META_SOURCE, FamilySpider
from crawler.spiders.column import META_LIST_STYLE
from crawler.spiders.list_apis import STYLE_JSON_LIST
from crawler.spiders.trs import TrsSpider
from pipeline.extraction.document import ROLE_DOCUMENT, ROLE_LIST
from pipeline.extraction.extract import extract_document
from pipeline.extraction.html_doc import parse_html
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


PINGTAN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"
PINGTAN_SEARCH = "https://www.pingtan.gov.cn/fjdzapp/search"


def test_real_pingtan_column_gives_its_ten_reports_and_posts_its_second_page_to_the_search() -> (
    None
):
    html = (REAL / "pingtan_zfxxgknb_list.html").read_text(encoding="utf-8")
    pages, reports = list_step(AutoSpider, PINGTAN, html)
    # The list model's page 2 (recordCount '20', prepage 10, page 1 static), with the page's
    # own list arguments; and the menu's link to the column's other view (nlist.htm), which
    # names the 年报 column and is asked for once.
    posted = [p for p in pages if p.method == "POST"]
    assert [p.url for p in posted] == [PINGTAN_SEARCH]
    assert posted[0].body.decode() == (
        "channelid=200210&classsql=chnlid%3D1813&sortfield=-docorderpri%2C-docreltime"
        "&page=2&prepage=10"
    )
    assert [p.url for p in pages if p.method == "GET"] == [PINGTAN + "nlist.htm"]
    assert len(reports) == 10
    assert {r.meta["nianbao_link_text"] for r in reports} == {
        f"平潭综合实验区{year}年度政府信息公开工作年度报告" for year in range(2016, 2026)
    }
    assert PINGTAN + "202503/t20250310_97791.htm" in {r.url for r in reports}


def test_pingtan_search_answer_gives_the_reports_of_page_two_and_only_the_reports() -> None:
    """The answer is modelled on what the Pingtan archive's crawler reads from /fjdzapp/search
    (`pageCount`, `data[].docpuburl`, `chnldocurl`, `doctitle`); its three items are real
    documents of the column's page 2, titles and URLs from the archive's page.txt files."""
    items = [
        ("平潭综合实验区地方税务局2013年信息公开年度报告", "201402/t20140225_80774.htm"),
        ("关于2014年政府信息公开工作要点落实情况的函", "201412/t20141210_80787.htm"),
        ("平潭县人民政府2011年政府信息公开工作年度报告", "201204/t20120418_80716.htm"),
    ]
    body = json.dumps(
        {
            "pageCount": 2,
            "data": [
                {"doctitle": t, "docpuburl": PINGTAN + path, "chnldocurl": PINGTAN + path}
                for t, path in items
            ],
        },
        ensure_ascii=False,
    )
    form = "channelid=200210&classsql=chnlid%3D1813&sortfield=-docorderpri%2C-docreltime&page=2&prepage=10"
    source = Source(
        id="real",
        agency="平潭综合实验区",
        family="auto",
        start_urls=(PINGTAN,),
        allowed_hosts=("www.pingtan.gov.cn",),
    )
    spider = AutoSpider(sources=[source])
    spider.crawler = get_crawler(AutoSpider)
    meta = {META_SOURCE: "real", META_ROLE: ROLE_LIST, META_LIST_STYLE: STYLE_JSON_LIST}
    request = Request(PINGTAN_SEARCH, method="POST", body=form, meta=meta)
    response = TextResponse(PINGTAN_SEARCH, body=body.encode(), encoding="utf-8", request=request)
    outputs = [o for o in spider.parse_list_call(response) if isinstance(o, scrapy.Request)]
    assert [o.meta[META_ROLE] for o in outputs] == [
        ROLE_DOCUMENT,
        ROLE_DOCUMENT,
    ]  # page 2 is the last
    assert {o.url for o in outputs} == {PINGTAN + items[0][1], PINGTAN + items[2][1]}


def test_real_pingtan_report_of_another_agency_is_credited_to_it() -> None:
    """The tax bureau's report in the portal's 年报 column: its title names the bureau, its
    来源 line the county government, the portal is 平潭综合实验区."""
    url = PINGTAN + "201402/t20140225_80774.htm"
    body = (REAL / "pingtan_dsj_2013_report.html").read_bytes()
    report = extract_document(
        body, url, {"content-type": "text/html; charset=utf-8"}, source_agency="平潭综合实验区"
    )
    assert (report.agency, report.year, report.doc_type) == (
        "平潭综合实验区地方税务局",
        2013,
        "annual_report",
    )
    assert report.published == "2014-02-25"


def test_real_pingtan_department_catalogue_gives_its_reports_but_not_its_self_check() -> None:
    """The 财政金融局's own 年报 column in the portal's department catalogues (地方部门平台链接):
    nine reports on page 1, and a 自查报告 filed with them that is no annual report; page 2
    through the same list model, with the column's own channel (chnlid=1788)."""
    url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqczj/zfxxgknb/"
    html = (REAL / "pingtan_czj_zfxxgknb_list.html").read_text(encoding="utf-8")
    pages, reports = list_step(AutoSpider, url, html)
    assert [(p.method, p.url) for p in pages] == [("POST", PINGTAN_SEARCH)]
    assert b"classsql=chnlid%3D1788" in pages[0].body and b"page=2" in pages[0].body
    years = {int(re.search(r"(20\d\d)\s*年", r.meta["nianbao_link_text"])[1]) for r in reports}
    assert (len(reports), years) == (9, set(range(2017, 2026)))
    assert url + "201801/t20180108_80497.htm" not in {r.url for r in reports}  # the 自查报告


def test_real_pingtan_police_report_is_credited_to_the_bureau_its_metadata_table_names() -> None:
    """A department's report in its own catalogue, under 工作动态: the 索引号 table's 发文机关
    (a `<li>` label with the name in a `<font>`) names 平潭综合实验区公安局, where the title says
    only 区公安局; the report itself is a linked .doc."""
    url = (
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgaj/fdzdgknr/gzdt/"
        "201801/t20180120_64057.htm"
    )
    body = (REAL / "pingtan_gaj_2017_report.html").read_bytes()
    page = parse_html(body.decode("utf-8"), url)
    assert page.publisher == "平潭综合实验区公安局"
    assert page.attachments == [
        "https://www.pingtan.gov.cn/ptwzq/ewebeditor/uploadfile/2018/01/24/20180124162122558.doc"
    ]
    report = extract_document(
        body, url, {"content-type": "text/html; charset=utf-8"}, source_agency="平潭综合实验区"
    )
    assert (report.agency, report.year, report.doc_type, report.published) == (
        "平潭综合实验区公安局",
        2017,
        "annual_report",
        "2018-01-20",
    )


def test_real_handan_open_government_home_leads_to_its_report_column_only() -> None:
    """邯郸市's 政府信息公开 sub-site (hdzfxxgk.hd.gov.cn, 2020): its menu's 政府信息公开年报 is the
    column; the site map's 政府网站年度工作报表 (another annual report) and the department index
    (市政府部门信息公开) are not, and the 近期信息公开 notices are no reports."""
    url = "http://hdzfxxgk.hd.gov.cn/"
    source = Source(
        id="real", agency="邯郸市人民政府", family="auto", start_urls=(url,),
        allowed_hosts=("hdzfxxgk.hd.gov.cn", "hd.gov.cn"),
    )  # fmt: skip
    spider = AutoSpider(sources=[source])
    html = (REAL / "handan_hdzfxxgk_home.html").read_bytes()
    request = Request(url, meta={META_SOURCE: "real"})
    response = HtmlResponse(url, body=html, encoding="utf-8", request=request)
    outputs = [o for o in spider.parse_home(response) if isinstance(o, scrapy.Request)]
    assert [(o.meta[META_ROLE], o.url) for o in outputs] == [
        (ROLE_LIST, "http://hdzfxxgk.hd.gov.cn/zfxxgknb/")
    ]


def test_real_pingtan_department_menu_template_leads_to_its_report_column() -> None:
    """A page of 平潭综合实验区公安局's catalogue (财政预算、决算报告, a list drawn by script) links its
    年报 column only as an avalon template, `/zwgk/zfxxgk/{{paths[5]}}/{{paths[6]}}/{{paths[7]}}/
    zfxxgknb/`, built from the page's own path: read, it is the bureau's 年报 column."""
    base = "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgaj/"
    html = (REAL / "pingtan_gaj_czysjsbg_list.html").read_text(encoding="utf-8")
    pages, reports = list_step(AutoSpider, base + "fdzdgknr/czysjsbg/", html)
    assert [(p.method, p.url) for p in pages] == [("GET", base + "zfxxgknb/")]
    assert reports == []
