"""Turn the bytes of an HTML page or a text file into a str, without trusting what the page says.

Order of evidence: a byte-order mark, then the HTTP charset, then the page's own <meta charset>,
each tried strictly; then UTF-8 and GB18030 (a superset of GBK and GB2312); charset-normalizer last.
Government portals often lie: a GBK page declares UTF-8 (strict UTF-8 fails, so we fall through)
and a UTF-8 page declares GBK (GB18030 may "succeed" and produce mojibake, so valid multi-byte UTF-8
wins over a declared charset: GBK text is practically never valid UTF-8 by accident).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# Only the head of a page may declare its encoding (the HTML spec scans the first 1024 bytes; real
# pages put long comments first, so look a little further).
_META_SCAN_BYTES = 4096
# Names pages use for the GB family; decode all of them with the superset.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "euc-cn", "hz-gb-2312"}


@dataclass(frozen=True)
class DecodedText:
    """The decoded text, the codec that produced it and which piece of evidence chose it."""

    text: str
    encoding: str
    source: str  # "bom", "http", "meta", "fallback", "detected" or "lossy"


def _normalise(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when Python does not know it."""
    if not name:
        return None
    lowered = name.strip().lower()
    if lowered in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def http_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, as a Python codec name."""
    if not content_type:
        return None
    match = _HTTP_CHARSET.search(content_type)
    return _normalise(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in <meta charset> or <meta http-equiv content=...>."""
    match = _META_CHARSET.search(body[:_META_SCAN_BYTES])
    return _normalise(match.group(1).decode("ascii", "ignore")) if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_multibyte_utf8(body: bytes) -> bool:
    return not body.isascii() and _strict(body, "utf-8") is not None


def decode_body(body: bytes, content_type: str | None = None) -> DecodedText:
    """Decode `body`; never raises. The last resort is GB18030 with replacement characters."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = _strict(body, encoding)
            if text is not None:
                return DecodedText(text, encoding, "bom")
    declared = [(http_charset(content_type), "http"), (meta_charset(body), "meta")]
    for declared_encoding, source in declared:
        if declared_encoding is None:
            continue
        if declared_encoding != "utf-8" and _is_multibyte_utf8(body):
            # The page says GBK (or similar) but its bytes are valid UTF-8: believe the bytes.
            return DecodedText(body.decode("utf-8"), "utf-8", "fallback")
        text = _strict(body, declared_encoding)
        if text is not None:
            return DecodedText(text, declared_encoding, source)
    for encoding in ("utf-8", "gb18030"):
        text = _strict(body, encoding)
        if text is not None:
            return DecodedText(text, encoding, "fallback")
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        text = _strict(body, best.encoding)
        if text is not None:
            return DecodedText(text, best.encoding, "detected")
    return DecodedText(body.decode("gb18030", errors="replace"), "gb18030", "lossy")
