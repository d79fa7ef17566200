"""The sample portal over real HTTP: sources, validators and 304s, encodings, seeds as published."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from crawler.sources import load_sources
from portal.content import SEEDS_DIR, load_seed_truth
from portal.server import SamplePortal


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(synthetic=9, seed=5) as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def seed_yaml(name: str) -> dict:
    return load_seed_truth(SEEDS_DIR / f"{name}.yaml")


def truth_url(portal: SamplePortal, family: str, agency: str, suffix: str = "") -> str:
    site = portal.site(family)
    return next(
        url
        for url, truth in portal.truth.items()
        if url.startswith(site.base_url) and truth.agency == agency and url.endswith(suffix)
    )


def test_sources_file_loads_with_one_private_source_per_family(
    portal: SamplePortal, tmp_path: Path
) -> None:
    path = tmp_path / "sample.yaml"
    portal.write_sources(path)
    sources = load_sources(path)
    assert sorted(s.family for s in sources) == ["hanweb", "plain", "trs"]
    for source in sources:
        assert source.allow_private
        assert source.allowed_hosts[0].startswith("127.0.0.1:")
        assert source.allows(source.start_urls[0])


def test_each_site_listens_on_its_own_port(portal: SamplePortal) -> None:
    ports = {site.base_url.rsplit(":", 1)[1] for site in portal.sites}
    assert len(ports) == 3


def test_base_port_gives_consecutive_ports() -> None:
    with SamplePortal(include_seeds=False, synthetic=0, base_port=0) as probe:
        free = int(probe.sites[0].base_url.rsplit(":", 1)[1])
    with SamplePortal(include_seeds=False, base_port=free) as fixed:
        assert [s.base_url for s in fixed.sites] == [
            f"http://127.0.0.1:{free + i}" for i in range(3)
        ]


def test_responses_carry_etag_and_last_modified(portal: SamplePortal) -> None:
    for site in portal.sites:
        status, headers, _ = get(site.base_url + "/")
        assert status == 200
        assert headers["ETag"] and headers["Last-Modified"]


def test_matching_if_none_match_gets_304(portal: SamplePortal) -> None:
    url = truth_url(portal, "trs", "洛阳市民政局")
    _, headers, _ = get(url)
    status, again, body = get(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]


def test_stale_etag_gets_the_page(portal: SamplePortal) -> None:
    url = truth_url(portal, "trs", "洛阳市民政局")
    status, _, body = get(url, {"If-None-Match": '"not-this-one"'})
    assert status == 200 and body


def test_if_modified_since_gets_304(portal: SamplePortal) -> None:
    url = truth_url(portal, "plain", "洛阳市人民政府办公室", ".pdf")
    _, headers, _ = get(url)
    status, _, _ = get(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304


def test_earlier_if_modified_since_gets_the_page(portal: SamplePortal) -> None:
    url = truth_url(portal, "plain", "洛阳市人民政府办公室", ".pdf")
    status, _, _ = get(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert status == 200


def test_unknown_path_is_404(portal: SamplePortal) -> None:
    assert get(portal.sites[0].base_url + "/no/such/page.htm")[0] == 404


def test_robots_txt_disallows_only_admin(portal: SamplePortal) -> None:
    for site in portal.sites:
        status, _, body = get(site.base_url + "/robots.txt")
        assert status == 200
        assert b"Disallow: /admin/" in body
        assert body.count(b"Disallow") == 1


def test_hanweb_pages_are_served_as_gbk(portal: SamplePortal) -> None:
    url = truth_url(portal, "hanweb", "晋安区民政局")
    _, headers, body = get(url)
    assert headers["Content-Type"] == "text/html; charset=GBK"
    assert "晋安区民政局2020年政府信息公开工作年度报告" in body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_one_hanweb_page_declares_utf8_in_meta_while_being_gbk(portal: SamplePortal) -> None:
    url = truth_url(portal, "hanweb", "清远市民政局")
    _, headers, body = get(url)
    assert b'charset=utf-8"' in body
    assert headers["Content-Type"].endswith("GBK")
    assert "清远市民政局" in body.decode("gbk")


def test_seed_text_is_served_byte_for_byte(portal: SamplePortal) -> None:
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        agency = seed_yaml(path.stem)["agency"]
        status, headers, body = get(truth_url(portal, "plain", agency, ".txt"))
        assert status == 200
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert body == path.read_bytes()


def _row_numbers(document: lxml.html.HtmlElement, label: str) -> list[str]:
    """The number cells of the table row whose label cell reads `label`."""
    for row in document.iter("tr"):
        cells = [
            " ".join(td.text_content().split()).replace("\xa0", "").strip() for td in row.iter("td")
        ]
        if any(cell.replace(" ", "") == label for cell in cells):
            return cells[-7:]
    raise AssertionError(f"no row labelled {label}")


def test_seed_html_page_prints_the_hand_checked_apply_rows(portal: SamplePortal) -> None:
    truth = seed_yaml("001_fc8dd0114ccc9bd3")
    _, _, body = get(truth_url(portal, "trs", "洛阳市人民政府办公室"))
    document = lxml.html.fromstring(body.decode("utf-8"))
    printed = _row_numbers(document, "一、本年新收政府信息公开申请数量")
    assert printed == [str(v) for v in truth["apply"]["new"]]
    assert _row_numbers(document, "（七）总计") == [str(v) for v in truth["apply"]["total"]]


def test_seed_html_page_prints_raw_text_and_blanks(portal: SamplePortal) -> None:
    truth = seed_yaml("002_f8b9c33d63190000")
    _, _, body = get(truth_url(portal, "hanweb", "清远市民政局"))
    document = lxml.html.fromstring(body.decode("gbk"))
    assert _row_numbers(document, "一、本年新收政府信息公开申请数量") == [
        "",
        "",
        "",
        "",
        "",
        "",
        "0",
    ]
    assert truth["raw"]["active.procurement.amount"] in document.text_content()


def test_self_inspection_seed_is_a_narrative_page(portal: SamplePortal) -> None:
    url = truth_url(portal, "hanweb", "濮阳市民政局", ".html")
    _, _, body = get(url)
    text = body.decode("gbk")
    assert "自查" in text and "<table" not in text
    assert portal.truth[url].doc_type == "self_inspection"


def test_seed_pdf_text_reads_back_with_pdfplumber(portal: SamplePortal) -> None:
    import pdfplumber

    _, headers, body = get(truth_url(portal, "plain", "洛阳市人民政府办公室", ".pdf"))
    assert headers["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace(" ", "")
    assert "洛阳市人民政府办公室2020年政府信息公开工作年度报告" in text
    assert "本年新收政府信息公开申请数量" in text.replace("\n", "")


def test_seed_docx_has_real_tables_with_merged_cells(portal: SamplePortal) -> None:
    import docx

    truth = seed_yaml("000_78fa2b2d43082721")
    _, _, body = get(truth_url(portal, "plain", "洛阳市民政局", ".docx"))
    document = docx.Document(io.BytesIO(body))
    assert len(document.tables) == 3
    normative = [c.text for c in document.tables[0].rows[3].cells]
    assert normative == ["规范性文件", *(str(v) for v in truth["active"]["normative"])]
    header = document.tables[1].rows[0].cells
    assert header[0].text == header[2].text  # one merged label cell spans three columns


def test_truth_json_lists_every_document_with_tables(portal: SamplePortal, tmp_path: Path) -> None:
    path = tmp_path / "truth.json"
    portal.write_truth(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    # 9 synthetic, 5 seed HTML pages, 5 seed TXT, one seed PDF and one seed DOCX
    assert len(data) == 9 + 5 + 5 + 2
    entry = data[truth_url(portal, "trs", "洛阳市民政局")]
    assert entry["metrics"]["active.procurement.amount"] == 2727.174
    assert entry["template"] == "2019"


def test_prerender_renders_every_page_and_file_of_every_site(portal: SamplePortal) -> None:
    rendered = portal.prerender()
    resources = [r for site in portal.sites for r in site.resources.values()]
    assert rendered == len(resources) > 0
    assert all(r.etag for r in resources)  # set together with the rendered body
