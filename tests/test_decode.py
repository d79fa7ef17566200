"""decode_body: BOM, HTTP charset, <meta charset>, and pages that lie about their encoding."""

from __future__ import annotations

from pipeline.extraction.decode import decode_body, http_charset, meta_charset

TEXT = "洛阳市民政局2020年政府信息公开工作年度报告"


def page(charset: str, text: str = TEXT) -> str:
    return f'<html><head><meta charset="{charset}"></head><body><p>{text}</p></body></html>'


def test_bom_wins_over_a_declared_charset() -> None:
    body = b"\xef\xbb\xbf" + page("gbk").encode("utf-8")
    decoded = decode_body(body, "text/html; charset=gbk")
    assert TEXT in decoded.text and decoded.source == "bom"


def test_http_charset_is_used_when_the_bytes_agree() -> None:
    decoded = decode_body(TEXT.encode("gbk"), "text/plain; charset=GB2312")
    assert decoded.text == TEXT and decoded.source == "http"


def test_meta_charset_is_used_without_an_http_charset() -> None:
    decoded = decode_body(page("gbk").encode("gbk"), "text/html")
    assert TEXT in decoded.text and decoded.source == "meta"


def test_gbk_page_whose_meta_says_utf8_is_decoded_as_gb18030() -> None:
    decoded = decode_body(page("utf-8").encode("gbk"), None)
    assert TEXT in decoded.text and decoded.encoding == "gb18030"


def test_utf8_page_whose_meta_says_gbk_is_decoded_as_utf8() -> None:
    decoded = decode_body(page("gbk").encode("utf-8"), "text/html; charset=gbk")
    assert TEXT in decoded.text and decoded.encoding == "utf-8"


def test_undeclared_gb18030_only_characters_survive() -> None:
    text = "𠀀 and 𪚥 are outside GBK"
    assert decode_body(text.encode("gb18030")).text == text


def test_charset_names_are_normalised_to_python_codecs() -> None:
    assert http_charset('text/html; charset="GB2312"') == "gb18030"
    assert http_charset("text/html") is None
    assert meta_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">') == (
        "utf-8"
    )
    assert http_charset("text/html; charset=no-such-codec") is None


def test_undecodable_bytes_never_raise() -> None:
    decoded = decode_body(bytes(range(256)) * 4, "text/html; charset=utf-8")
    assert isinstance(decoded.text, str)
