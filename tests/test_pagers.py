"""The pager detector: one test per pager style, the real pages of tests/fixtures/real, the cap."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.spiders.links import links_of
from crawler.spiders.pagers import (
    STYLE_COUNT_PAGE_SCRIPT,
    STYLE_CREATE_PAGE_HTML,
    STYLE_NEXT_LINK,
    STYLE_NUMBERED_LINKS,
    STYLE_QUERY,
    Pager,
    detect_pager,
)

REAL = Path(__file__).parent / "fixtures" / "real"
COLUMN = "http://a.example/zwgk/nb/"


def detect(html: str, url: str = COLUMN, max_pages: int = 200) -> Pager | None:
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8")
    links = [(link.url, link.text) for link in links_of(response)]
    return detect_pager(html, url, links, max_pages=max_pages)


def test_create_page_html_gives_every_other_page() -> None:
    pager = detect(
        '<script>createPageHTML(3, 1, "index", "html");</script>', COLUMN + "index_1.html"
    )
    assert pager == Pager(STYLE_CREATE_PAGE_HTML, [COLUMN + "index.html", COLUMN + "index_2.html"])


def test_a_commented_out_create_page_html_is_ignored_for_the_live_count_page() -> None:
    html = (
        '<script>\n//createPageHTML(9, 0, "index", "html");\nvar currentPage = 0;\n'
        'var countPage = 3;\ndocument.write("<a href=\\"index_" + i + ".html\\">");\n</script>'
    )
    pager = detect(html)
    assert pager == Pager(
        STYLE_COUNT_PAGE_SCRIPT, [COLUMN + "index_1.html", COLUMN + "index_2.html"]
    )


def test_count_page_script_reads_htm_pages() -> None:
    html = (
        "<script>var countPage = 2; var currentPage = 0;\n"
        'document.write("<a href=\\"index_" + i + ".htm\\">" + (i+1) + "</a>");</script>'
    )
    assert detect(html) == Pager(STYLE_COUNT_PAGE_SCRIPT, [COLUMN + "index_1.htm"])


def test_query_pager_keeps_other_parameters_and_reads_the_count() -> None:
    html = '共4页 <a href="list.jsp?channel=7&pageNo=2">2</a>'
    pager = detect(html, COLUMN + "list.jsp?channel=7&pageNo=1")
    assert pager == Pager(
        STYLE_QUERY, [COLUMN + f"list.jsp?channel=7&pageNo={n}" for n in (2, 3, 4)]
    )


def test_query_pager_styles_are_all_recognised() -> None:
    for key in ("page", "pageIndex", "curPage", "pageNum"):
        pager = detect(f'<a href="?{key}=2">下一页</a> <a href="?{key}=5">尾页</a>')
        assert pager is not None and pager.style == STYLE_QUERY
        assert pager.urls[-1] == COLUMN + f"?{key}=5"
        assert len(pager.urls) == 5


def test_numbered_links_run_to_the_last_page_link() -> None:
    html = '<a href="index_1.html">2</a> <a href="index_6.html">尾页</a>'
    pager = detect(html, COLUMN + "index.html")
    assert pager == Pager(STYLE_NUMBERED_LINKS, [COLUMN + f"index_{n}.html" for n in range(1, 7)])


def test_numbered_links_run_to_the_stated_count() -> None:
    pager = detect('共5页 <a href="list_2.htm">下一页</a>')
    assert pager == Pager(STYLE_NUMBERED_LINKS, [COLUMN + f"list_{n}.htm" for n in range(2, 6)])


def test_next_link_alone_is_followed() -> None:
    assert detect('<a href="more.jsp?start=20">下一页</a>') == Pager(
        STYLE_NEXT_LINK, [COLUMN + "more.jsp?start=20"]
    )


def test_a_page_without_a_pager_has_none() -> None:
    assert detect('<ul><li><a href="./t1.html">2020年报</a></li></ul>') is None


def test_a_hostile_count_page_is_capped() -> None:
    html = '<script>var countPage = 100000;document.write("index_" + i + ".html");</script>'
    pager = detect(html, max_pages=30)
    assert pager is not None and len(pager.urls) == 30


def test_a_hostile_create_page_html_is_capped() -> None:
    pager = detect('<script>createPageHTML(100000, 0, "index", "html");</script>', max_pages=30)
    assert pager is not None and len(pager.urls) == 30


def test_real_ordos_column_finds_its_second_page() -> None:
    html = (REAL / "ordos_egb_xxgknb.html").read_text(encoding="utf-8")
    url = "http://127.0.0.1:8000/xxgk/xxgknb/"
    assert detect(html, url) == Pager(STYLE_COUNT_PAGE_SCRIPT, [url + "index_1.html"])


def test_real_ordos_column_pager_only_in_its_script_finds_its_second_page() -> None:
    html = (REAL / "ordos_egb_xxgknb.html").read_text(encoding="utf-8")
    script_only = (
        html.split("</script>共计")[0] + "</script></td></tr></tbody></table></body></html>"
    )
    assert "index_1.html" not in script_only
    url = "http://127.0.0.1:8000/xxgk/xxgknb/"
    assert detect(script_only, url) == Pager(STYLE_COUNT_PAGE_SCRIPT, [url + "index_1.html"])


def test_real_yuanzhou_column_finds_its_119_later_pages() -> None:
    html = (REAL / "yzq_zwgk_zwyw.html").read_text(encoding="utf-8")
    url = "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/"
    pager = detect(html, url)
    assert pager == Pager(STYLE_CREATE_PAGE_HTML, [url + f"index_{n}.html" for n in range(1, 120)])


def test_a_named_family_puts_its_own_style_first() -> None:
    # A page with both a query pager and a createPageHTML call: detection alone reads the
    # script; a source naming the Hanweb family prefers its pageNum links.
    html = (
        '<script>createPageHTML(3, 0, "index", "html");</script>'
        '<a href="?pageNum=2">2</a> <a href="?pageNum=4">尾页</a>'
    )
    assert detect(html).style == STYLE_CREATE_PAGE_HTML  # type: ignore[union-attr]
    response = HtmlResponse(COLUMN, body=html.encode(), encoding="utf-8")
    links = [(link.url, link.text) for link in links_of(response)]
    hinted = detect_pager(html, COLUMN, links, family="hanweb")
    assert hinted is not None and hinted.style == STYLE_QUERY
    assert hinted.urls[-1] == COLUMN + "?pageNum=4"


def test_a_textless_dataproxy_link_is_no_query_pager() -> None:
    html = (
        '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
        'dataproxy.jsp?page=1&columnid=2&unitid=3"></a>]]></nextgroup></datastore></script>'
    )
    assert detect(html) is None
