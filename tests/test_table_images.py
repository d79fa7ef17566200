"""Which pictures of a report page are fetched and read as its tables, and what becomes of them.

The pure side (`pipeline.extraction.table_images`, `outcome`) on hand-written pages and pictures
made here with Pillow; the spider's requests on a page as Scrapy hands it over. The whole road
(crawl, archive, load, rebuild) is walked in tests/test_portal_extra_formats.py.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from scrapy.http import HtmlResponse, Request

from crawler.sources import load_sources
from crawler.spiders.base import META_ROLE, META_SOURCE
from crawler.spiders.links import navigate_document
from crawler.spiders.plain import PlainSpider
from pipeline.extraction.document import (
    OUTCOME_ARCHIVED,
    OUTCOME_FAILED,
    ROLE_DOCUMENT,
    ROLE_IMAGE,
    FetchedDocument,
    PageImage,
)
from pipeline.extraction.outcome import outcome_without_extraction, process_fetched
from pipeline.extraction.report import STATUS_OK
from pipeline.extraction.table_images import (
    MAX_IMAGE_BYTES,
    MAX_TABLE_IMAGES,
    select_table_images,
    table_image_problem,
    table_image_urls,
)

PAGE = "http://www.example.gov.cn:8080/zwgk/ndbg/202301/t20230131_1.html"
REAL = Path(__file__).parent / "fixtures" / "real"


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, format="PNG")
    return out.getvalue()


def page(images: str) -> bytes:
    return f"<html><body><h1>2022年政府信息公开工作年度报告</h1>{images}</body></html>".encode()


def test_table_pictures_are_named_in_page_order_on_the_page_site_only() -> None:
    body = page(
        '<img src="/uploads/202301/b_2.png"><img src="a_1.jpg">'
        '<img src="http://cdn.other.cn/uploads/t.png">'  # another site
        '<img src="http://www.example.gov.cn/uploads/t.png">'  # same host, another port
        '<img src="/uploads/202301/b_2.png">'  # shown twice, fetched once
    )
    assert table_image_urls(body, PAGE) == [
        "http://www.example.gov.cn:8080/uploads/202301/b_2.png",
        "http://www.example.gov.cn:8080/zwgk/ndbg/202301/a_1.jpg",
    ]


def test_a_picture_on_a_sister_host_of_the_same_government_is_named() -> None:
    body = page(
        '<img src="http://img.example.gov.cn:8080/W020230101/t1.png">'  # the site's image host
        '<img src="http://img.other.gov.cn:8080/W020230101/t2.png">'  # another government
        '<img src="http://example.gov.cn.evil.cn:8080/t3.png">'  # a name ending elsewhere
    )
    assert table_image_urls(body, PAGE) == ["http://img.example.gov.cn:8080/W020230101/t1.png"]


def test_an_ip_address_site_shares_pictures_with_no_other_port() -> None:
    body = page('<img src="http://127.0.0.1:8001/t.png"><img src="http://127.0.0.1:8000/u.png">')
    assert table_image_urls(body, "http://127.0.0.1:8000/r.html") == ["http://127.0.0.1:8000/u.png"]


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="/images/logo.png">',
        '<img src="/skin/images/bg_top.jpg">',
        '<img src="/images/btn-close2.gif">',
        '<img src="/images/ewm.png">',
        '<img src="/uploads/a.png" alt="政府网站找错">',
        '<img src="/uploads/a.png" alt="扫一扫 二维码">',
        '<img src="/uploads/a.png" width="120" height="800">',
        '<img src="/uploads/a.png" height="40px">',
        '<img src="/captcha.jsp?id=3">',  # not an image file name
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ],
)
def test_site_chrome_and_pictures_declared_small_are_not_named(tag: str) -> None:
    assert table_image_urls(page(tag), PAGE) == []


def test_picture_names_are_spelled_as_the_crawl_requests_them() -> None:
    """Non-ASCII paths percent-encoded as Scrapy's Request does, fragment dropped; a download
    script's file parameter counts as the name."""
    body = page(
        '<img src="/uploads/附表一.png#x"><img src="/download.jsp?filename=t3.jpeg&amp;id=9">'
    )
    assert table_image_urls(body, PAGE) == [
        Request("http://www.example.gov.cn:8080/uploads/附表一.png").url,
        "http://www.example.gov.cn:8080/download.jsp?filename=t3.jpeg&id=9",
    ]


def test_a_page_names_at_most_the_cap_of_pictures() -> None:
    body = page("".join(f'<img src="/uploads/t{n}.png">' for n in range(MAX_TABLE_IMAGES + 5)))
    assert len(table_image_urls(body, PAGE)) == MAX_TABLE_IMAGES


def test_real_report_pages_name_no_picture_of_their_templates() -> None:
    """Real report pages (tests/fixtures/real) show badges and logos, never a table picture."""
    for path in [*REAL.glob("*_report.html"), *(REAL / "reports").glob("*.html")]:
        assert table_image_urls(path.read_bytes(), PAGE) == [], path.name


def test_a_picture_too_small_or_too_large_for_a_table_or_not_a_picture_is_not_read() -> None:
    assert table_image_problem(png(1200, 900)) is None
    assert "too small" in (table_image_problem(png(1200, 120)) or "")
    assert "not a picture" in (table_image_problem(b"<html>404</html>") or "")
    too_large = b"\x89PNG\r\n\x1a\n" + bytes(MAX_IMAGE_BYTES)
    assert "larger than" in (table_image_problem(too_large) or "")


def test_a_picture_the_archive_lacks_is_noted_and_decoration_left_out() -> None:
    images = [
        PageImage("http://h/t1.png", "s1", "a.warc.gz", 1),
        PageImage("http://h/deco.png", "s2", "a.warc.gz", 2),
        PageImage("http://h/t2.png", problem="HTTP 404"),
        PageImage("http://h/t3.png"),
        PageImage("http://h/t4.png", "s4", "a.warc.gz", 4),
    ]
    table = png(800, 600)
    chosen, notes = select_table_images(images, [table, png(40, 40), None, None, None])
    assert chosen == [table]
    assert notes == [
        "table image http://h/t2.png not read: HTTP 404",
        "table image http://h/t3.png not read: not archived",
        "table image http://h/t4.png not read: archived record unreadable",
    ]


@pytest.mark.parametrize(
    ("status", "outcome", "reason"),
    [
        (200, OUTCOME_ARCHIVED, ""),
        (404, OUTCOME_FAILED, "HTTP 404"),
        (302, OUTCOME_FAILED, "HTTP 302 redirect to /login"),
    ],
)
def test_a_picture_response_is_archived_or_failed_by_its_status(
    status: int, outcome: str, reason: str
) -> None:
    doc = FetchedDocument(
        "http://h/t.png", status, png(10, 10), {"location": "/login"}, role=ROLE_IMAGE
    )
    assert outcome_without_extraction(doc) == (outcome, reason)


def test_a_page_whose_own_tables_are_read_reads_none_of_its_pictures() -> None:
    """OCR only where the page's text lacks its tables: an unreadable picture changes nothing."""
    body = (REAL / "reports" / "pingtan_2022.html").read_bytes()
    doc = FetchedDocument(
        "http://www.pingtan.gov.cn/r.html",
        200,
        body,
        {"content-type": "text/html; charset=utf-8"},
        role=ROLE_DOCUMENT,
    )
    alone = process_fetched(doc)
    assert alone.report is not None and alone.report.status == STATUS_OK
    shown = FetchedDocument(
        doc.url, 200, body, doc.headers, role=ROLE_DOCUMENT,
        images=(PageImage("http://www.pingtan.gov.cn/t.png", problem="HTTP 404"),),
    )  # fmt: skip
    with_pictures = process_fetched(shown, image_bodies=[None])
    assert with_pictures.report is not None
    assert with_pictures.report.status == STATUS_OK
    assert with_pictures.report.status_reason == alone.report.status_reason


def test_the_spider_requests_a_report_page_s_table_pictures_with_the_page_as_referer(
    tmp_path: Path,
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - id: example\n    agency: 示例市人民政府\n    family: plain\n"
        "    start_urls: ['http://www.example.gov.cn:8080/']\n"
        "    provenance: test\n"
    )
    spider = PlainSpider(sources=load_sources(sources))
    request = Request(PAGE, meta={META_SOURCE: "example", META_ROLE: ROLE_DOCUMENT})
    body = page('<img src="/images/logo.png"><img src="/uploads/t1.png">')
    response = HtmlResponse(PAGE, body=body, request=request, encoding="utf-8")
    outputs = list(navigate_document(spider, response))
    assert isinstance(outputs[0], FetchedDocument)
    (picture,) = [o for o in outputs if isinstance(o, Request)]
    assert picture.url == "http://www.example.gov.cn:8080/uploads/t1.png"
    assert picture.meta[META_ROLE] == ROLE_IMAGE
    assert picture.headers.get("Referer") == PAGE.encode()
    assert picture.meta["download_maxsize"] == MAX_IMAGE_BYTES


def test_a_page_of_more_pictures_than_a_scan_may_have_pages_is_read_up_to_the_cap() -> None:
    """Twenty photographs on a report page cost no more OCR than a scanned document may."""
    from pipeline.extraction.attachments.ocr_tables import MAX_OCR_PAGES
    from pipeline.extraction.extract import extract_document

    pictures = [png(320, 320)] * (MAX_OCR_PAGES + 1)
    report = extract_document(page(""), PAGE, {"content-type": "text/html"}, images=pictures)
    assert f"read {MAX_OCR_PAGES} of {MAX_OCR_PAGES + 1} pictures" in report.status_reason
