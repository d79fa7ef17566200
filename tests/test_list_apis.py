"""List APIs read from a column's page: real saved pages of tests/fixtures/real, then each answer style."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import HtmlResponse

from crawler.spiders.links import is_report_title, links_of
from crawler.spiders.list_apis import (
    STYLE_HANWEB_DATAPROXY,
    STYLE_JPAAS_UNIT,
    STYLE_JSON_LIST,
    ListCall,
    list_calls,
    read_answer,
)

REAL = Path(__file__).parent / "fixtures" / "real"
NANTONG = "http://zfcg.nantong.gov.cn/col/col31685/index.html"
MIIT = "https://www.miit.gov.cn/xwfb/bldhd/index.html"
# The unit URL the MIIT column's loader called, as recorded by hand next to the loader's attributes.
MIIT_UNIT = (
    "https://www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    "?parseType=buildstatic&webId=8d828e408d90447786ddbe128d495e9e"
    "&tplSetId=209741b2109044b5b7695700b2bec37e&pageType=column"
    "&tagId=%E5%8F%B3%E4%BE%A7%E5%86%85%E5%AE%B9&editType=null"
    "&pageId=d3e2bede1bc045e2875fc7161c01db7d"
)


def nantong_page() -> str:
    """The stored datastore inside the column page's <script type="text/xml">, as Hanweb serves it."""
    datastore = (REAL / "nantong_zfcg_col31685_datastore.xml").read_text(encoding="utf-8")
    return f'<html><body><div id="80325"><script type="text/xml">{datastore}</script></div></body></html>'


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_real_nantong_column_posts_its_next_group_to_dataproxy() -> None:
    calls = list_calls(nantong_page(), NANTONG, max_pages=200)
    assert len(calls) == 1  # the page states no total: the next group, then what it says
    call = calls[0]
    assert call.style == STYLE_HANWEB_DATAPROXY and call.method == "POST"
    assert (
        call.url.split("?")[0]
        == "http://zfcg.nantong.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp"
    )
    # The excerpt keeps 5 records: the next group starts at the 6th, 3 pages of 15 long.
    assert query(call.url) == {"startrecord": "6", "endrecord": "50", "perpage": "15"}
    form = dict(call.form)
    assert (form["columnid"], form["unitid"], form["webid"]) == ("31685", "80325", "60")
    assert form["webname"] == "'南通市政府采购网'"  # the column's site, as the page names it
    assert "page" not in form


def test_real_nantong_column_lists_its_records_and_no_report() -> None:
    response = HtmlResponse(NANTONG, body=nantong_page().encode(), encoding="utf-8")
    links = [link for link in links_of(response) if "/art/" in link.url]
    assert [urlsplit(link.url).path for link in links][:2] == [
        "/art/2017/4/24/art_31685_2451995.html",
        "/art/2017/4/20/art_31685_2451309.html",
    ]
    assert len(links) == 5
    assert (
        links[0].text == "南通市公安局交警支队空调设备询价2017XJ3018"
    )  # the title, not the cut text
    assert not [link for link in links if is_report_title(link.text)]  # procurement notices only


def test_real_miit_loader_gives_the_unit_call_the_column_made() -> None:
    loader = (REAL / "miit_xwfb_bldhd_unit.txt").read_text(encoding="utf-8")
    calls = list_calls(loader, MIIT, max_pages=200)
    assert [call.style for call in calls] == [STYLE_JPAAS_UNIT]
    called = query(calls[0].url)
    paging = json.loads(called.pop("paramJson"))
    assert calls[0].url.split("?")[0] == MIIT_UNIT.split("?")[0]
    assert called == query(MIIT_UNIT)
    assert paging == {"pageNo": 1, "pageSize": 15}


def test_dataproxy_answer_with_its_total_asks_for_every_remaining_group() -> None:
    call = ListCall(
        STYLE_HANWEB_DATAPROXY,
        "http://a.example/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        (("columnid", "1"), ("unitid", "2")),
    )
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/{n}.html">2020年年度报告{n}</a></li>]]></record>'
        for n in range(45)
    )
    answer = read_answer(
        f"<datastore><totalrecord>200</totalrecord><recordset>{records}</recordset></datastore>",
        call,
        max_pages=200,
    )
    assert len(answer.links) == 45 and answer.links[0] == (
        "http://a.example/art/0.html",
        "2020年年度报告0",
    )
    assert [query(c.url)["startrecord"] for c in answer.next_calls] == ["91", "136", "181"]
    assert query(answer.next_calls[-1].url)["endrecord"] == "200"
    assert all(c.form == call.form for c in answer.next_calls)


def test_dataproxy_answer_short_of_its_group_ends_the_column() -> None:
    call = ListCall(
        STYLE_HANWEB_DATAPROXY,
        "http://a.example/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
        (("columnid", "1"),),
    )
    text = '<datastore><record><![CDATA[<a href="/art/1.html">x</a>]]></record></datastore>'
    assert read_answer(text, call, max_pages=200).next_calls == []


def test_jpaas_answer_with_items_asks_for_the_next_page_and_an_empty_one_stops() -> None:
    unit = "http://a.example/api-gateway/jpaas-publish-server/front/page/build/unit"
    call = ListCall(STYLE_JPAAS_UNIT, unit + '?webId=1&paramJson={"pageNo":2,"pageSize":15}')
    full = json.dumps(
        {"data": {"html": '<ul><li><a href="/art/9.html" title="2021年年报">2021…</a></li></ul>'}}
    )
    answer = read_answer(full, call, max_pages=200)
    assert answer.links == [("http://a.example/art/9.html", "2021年年报")]
    [following] = answer.next_calls
    assert json.loads(query(following.url)["paramJson"]) == {"pageNo": 3, "pageSize": 15}
    assert query(following.url)["webId"] == "1"
    empty = json.dumps({"data": {"html": "<ul></ul>"}})
    assert read_answer(empty, call, max_pages=200).next_calls == []


def test_get_info_list_script_is_read_as_a_post_with_its_parameters() -> None:
    page = (
        "<script>$.ajax({url: '/xxgk/api/getInfoList', type: 'post', dataType: 'json',"
        " data: {catId: 'nb', siteId: '9', pageIndex: 1, pageSize: 20},"
        " success: function (res) { render(res); }});</script>"
    )
    [call] = list_calls(page, "http://a.example/xxgk/gkml/nb/index.html", max_pages=200)
    assert call.style == STYLE_JSON_LIST and call.method == "POST"
    assert call.url == "http://a.example/xxgk/api/getInfoList"
    assert dict(call.form) == {"catId": "nb", "siteId": "9", "pageIndex": "1", "pageSize": "20"}


def test_json_list_answer_reads_items_and_its_page_count() -> None:
    call = ListCall(
        STYLE_JSON_LIST, "http://a.example/api/getInfoList?catId=nb&pageIndex=1&pageSize=2"
    )
    data = {
        "data": {
            "list": [
                {
                    "title": "2022年政府信息公开工作年度报告",
                    "url": "/nb/t1.html",
                    "indexNo": "x/2023-1",
                },
                {"DOCTITLE": "通知", "DOCPUBURL": "http://a.example/nb/t2.html"},
            ],
            "totalPage": 4,
        }
    }
    answer = read_answer(json.dumps(data, ensure_ascii=False), call, max_pages=200)
    assert answer.links == [
        ("http://a.example/nb/t1.html", "2022年政府信息公开工作年度报告"),
        ("http://a.example/nb/t2.html", "通知"),
    ]
    assert [query(c.url) for c in answer.next_calls] == [
        {"catId": "nb", "pageIndex": str(n), "pageSize": "2"} for n in (2, 3, 4)
    ]


def test_a_hostile_total_is_capped() -> None:
    call = ListCall(STYLE_JSON_LIST, "http://a.example/api/getInfoList?pageIndex=1")
    data = {"list": [{"title": "t", "url": "/a.html"}], "totalPage": 100000}
    assert len(read_answer(json.dumps(data), call, max_pages=30).next_calls) == 30


def test_a_page_without_a_list_api_makes_no_call() -> None:
    assert (
        list_calls('<ul><li><a href="t1.html">2020年报</a></li></ul>', "http://a.example/", 200)
        == []
    )


def test_gkmlpt_catalogue_calls_its_report_category_only() -> None:
    # The platform as Guangdong sites serve it (window._CONFIG with SID and TREE; the API path
    # under the site's own prefix, as http://www.yangjiang.gov.cn/yjzjj/gkmlpt/api/all/721?…).
    tree = [
        {"id": 700, "name": "政策文件", "children": [{"id": 701, "name": "规范性文件"}]},
        {"id": 720, "name": "年度报告", "children": [{"id": 721, "name": "政府信息公开年报"}]},
        {"id": 722, "name": "2023年部门决算"},
        {"id": 723, "name": "政务服务", "jump_url": "/zwfw/"},
    ]
    page = (
        "<script>window._CONFIG = {SID: '662021', TREE: "
        + json.dumps(tree, ensure_ascii=False)
        + ", SERVICE_AREA_ID: 0};</script>"
    )
    calls = list_calls(page, "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/index", max_pages=200)
    api = "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/api/all/"
    assert [c.url for c in calls] == [f"{api}720?page=1&sid=662021", f"{api}721?page=1&sid=662021"]
    assert list_calls(page, "http://www.yangjiang.gov.cn/zwgk/index.html", max_pages=200) == []


def test_gkmlpt_answer_pages_by_its_total() -> None:
    call = ListCall(STYLE_JSON_LIST, "http://a.example/gkmlpt/api/all/721?page=1&sid=662021")
    articles = [
        {
            "id": n,
            "title": f"2021年年报{n}",
            "url": f"http://a.example/gkmlpt/content/0/1/post_{n}.html",
        }
        for n in range(10)
    ]
    answer = read_answer(json.dumps({"total": 25, "articles": articles}), call, max_pages=200)
    assert len(answer.links) == 10
    assert [query(c.url) for c in answer.next_calls] == [
        {"page": "2", "sid": "662021"},
        {"page": "3", "sid": "662021"},
    ]


def trs_list_model(static: str, pagebar: str) -> str:
    """A TRS avalon list model as the Pingtan column page writes it, with its pagebar varied."""
    return (
        "<script>var SiteInfo = {searchId: 200210, defaultPgTemp: 'pgBar_pt.html'};</script>"
        '<script>require(["list2.trsapi"], function(listModel) { listModel({'
        f'quickMode: "动静结合", {static}'
        'listArgs: {channelid: SiteInfo.searchId, classsql: "" || "chnlid=1813",'
        ' sortfield: "-docorderpri,-docreltime"},'
        f"pagebar: {{{pagebar}}} }}); }});</script>"
    )


def test_trs_list_model_posts_every_page_past_the_static_ones_to_the_search() -> None:
    html = trs_list_model("maxStaticIndex: 2,", "prepage: 10, recordCount: '45'")
    calls = list_calls(html, "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/", 200)
    assert {c.url for c in calls} == {"https://www.pingtan.gov.cn/fjdzapp/search"}
    assert [dict(c.form)["page"] for c in calls] == ["3", "4", "5"]
    assert dict(calls[0].form) == {
        "channelid": "200210",
        "classsql": "chnlid=1813",
        "sortfield": "-docorderpri,-docreltime",
        "page": "3",
        "prepage": "10",
    }


def test_trs_list_model_without_a_record_count_asks_for_the_next_page_only() -> None:
    calls = list_calls(trs_list_model("", "prepage: 15"), "https://a.example/col/", 200)
    assert [(dict(c.form)["page"], dict(c.form)["prepage"]) for c in calls] == [("2", "15")]


def test_trs_list_model_with_a_hostile_record_count_is_capped() -> None:
    html = trs_list_model("maxStaticIndex: 1,", "prepage: 10, recordCount: '99999999'")
    assert len(list_calls(html, "https://a.example/col/", 30)) == 30
