"""Shared link recognition: canonical URLs, report titles, the 年报 column, attachments."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.spiders.links import (
    Link,
    canonical_url,
    is_attachment,
    is_report_column,
    is_report_title,
    links_of,
    may_link_attachments,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.1:8001/zwgk/nb/202103/t20210305_1.htm",
        "HTTP://127.0.0.1:8001/zwgk/nb/202103/t20210305_1.htm#content",
        "http://127.0.0.1:8001/zwgk/x/../nb/./202103/t20210305_1.htm",
        "http://127.0.0.1:8001/zwgk/nb/202103/t20210305_1.htm?utm_source=wechat&from=timeline",
    ],
)
def test_spellings_of_one_url_canonicalise_alike(spelling: str) -> None:
    assert canonical_url(spelling) == "http://127.0.0.1:8001/zwgk/nb/202103/t20210305_1.htm"


def test_canonical_url_keeps_paging_parameters_in_one_order() -> None:
    a = canonical_url("http://h/col/col1/index.html?uid=9&pageNum=2")
    b = canonical_url("http://h/col/col1/index.html?pageNum=2&uid=9")
    assert a == b and "pageNum=2" in a


def test_default_port_is_dropped() -> None:
    assert canonical_url("http://www.ly.gov.cn:80/") == "http://www.ly.gov.cn/"


@pytest.mark.parametrize(
    "title",
    [
        "洛阳市民政局2020年政府信息公开工作年度报告",
        "2021年度政府信息公开年报",
        "濮阳市民政局2020年度政府信息和政务公开工作自查情况的报告",
        "示例县人民政府2019年政府信息公开工作报告",
        "区公安局2017年度政府信息公开报告",  # real (Pingtan), no 工作 and no 年度报告
    ],
)
def test_report_titles_are_recognised(title: str) -> None:
    assert is_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "政府信息公开年报",  # the column itself: no year
        "示例市人民政府政府信息公开指南",
        "关于做好2020年政府信息公开工作年度报告编制发布工作的通知",
        "示例市2021年政务公开工作要点",
        "《2020年政府信息公开工作年度报告》解读",
        # Real titles filed in 年报 columns (Pingtan): a letter, a self-check with no year.
        "关于2014年政府信息公开工作要点落实情况的函",
        "平潭综合实验区财政金融局关于做好政务公开财政牵头任务落实情况的自查报告",
    ],
)
def test_non_reports_are_skipped(title: str) -> None:
    assert not is_report_title(title)


def test_report_column_found_by_name_or_path() -> None:
    assert is_report_column(Link("http://h/col/col9/index.html", "政府信息公开年报"))
    assert is_report_column(Link("http://h/zwgk/zfxxgk/zfxxgknb/", "年度报告专栏"))
    assert not is_report_column(Link("http://h/zwgk/zn/", "政府信息公开指南"))


def test_attachments_by_extension_or_download_parameter() -> None:
    assert is_attachment("http://h/uploads/2021/a.PDF")
    assert is_attachment("http://h/module/download/downfile.jsp?filename=report.docx")
    assert not is_attachment("http://h/art/2021/3/5/art_1_2.html")


def test_cut_titles_are_taken_from_the_title_attribute_and_cdata_links_found() -> None:
    body = (
        '<html><body><a href="./a.htm" title="洛阳市民政局2020年政府信息公开工作年度报告">'
        "洛阳市民政局2020年...</a>"
        '<script type="text/xml"><datastore><record><![CDATA['
        '<li><a href="/art/1.html">2021年年报</a></li>]]>'
        "</record></datastore></script></body></html>"
    ).encode()
    response = HtmlResponse("http://h/list/index.htm", body=body, encoding="utf-8")
    assert links_of(response) == [
        Link("http://h/list/a.htm", "洛阳市民政局2020年政府信息公开工作年度报告"),
        Link("http://h/art/1.html", "2021年年报"),
    ]


@pytest.mark.parametrize(
    "anchor",
    [
        '<a href="/uploads/2021/report.PDF">附件</a>',
        '<a href="/download.jsp?filename=nb.docx">附件</a>',
        '<a href="/uploads/2021/report&#46;pdf">附件</a>',
        '<a href="/uploads/2021/report&#X2E;Doc">附件</a>',
    ],
)
def test_a_page_whose_links_may_reach_a_file_is_parsed(anchor: str) -> None:
    body = f"<html><body><p>正文</p>{anchor}</body></html>".encode()
    response = HtmlResponse("http://h/art/1.html", body=body, encoding="utf-8")
    assert may_link_attachments(response)
    assert any(is_attachment(link.url) for link in links_of(response))


def test_a_page_with_no_file_extension_anywhere_is_not_parsed_for_attachments() -> None:
    body = '<html><body><a href="/art/2.html">2021年年报</a></body></html>'.encode()
    response = HtmlResponse("http://h/art/1.html", body=body, encoding="utf-8")
    assert not may_link_attachments(response)
    assert not any(is_attachment(link.url) for link in links_of(response))


def test_a_page_in_utf16_is_always_parsed() -> None:
    body = '<html><body><a href="/a.pdf">附件</a></body></html>'.encode("utf-16")
    response = HtmlResponse("http://h/art/1.html", body=body, encoding="utf-16")
    assert may_link_attachments(response)


def test_avalon_path_templates_are_read_and_other_expressions_left() -> None:
    body = (
        '<a ms-attr-href="/zwgk/{{paths[4]}}/zfxxgknb/">年报</a>'
        '<a ms-attr-href="el.url">模型数据</a>'
        '<a ms-attr-href="/x/{{paths[40]}}/">越界</a>'
        '<a ms-attr-href="/x/{{el.id}}/">表达式</a>'
    )
    url = "http://www.example.gov.cn/zwgk/bm/sub/index.htm"
    response = HtmlResponse(url, body=body.encode(), encoding="utf-8")
    assert [(link.url, link.text) for link in links_of(response)] == [
        ("http://www.example.gov.cn/zwgk/bm/zfxxgknb/", "年报")
    ]
