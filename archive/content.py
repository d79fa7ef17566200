"""Undo HTTP Content-Encoding on an archived body, with a cap against decompression bombs.

The WARC keeps bodies exactly as received; what nianbao hashes and extracts is the decoded entity.
The crawl (on the live response) and the WARC reader must decode the same way, so both call this.
"""

from __future__ import annotations

import zlib

import brotli  # type: ignore[import-untyped]

DEFAULT_MAX_DECODED = 64 * 2**20


class ContentDecodingError(ValueError):
    """A body that does not decode as its Content-Encoding says, or decodes to more than the cap."""


def _inflate(body: bytes, wbits: int, max_size: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = decompressor.decompress(body, max_size + 1)
    if len(out) > max_size:
        raise ContentDecodingError(f"decodes to more than {max_size} bytes")
    return out


def decode_content(
    body: bytes, content_encoding: str | None, max_size: int = DEFAULT_MAX_DECODED
) -> bytes:
    """The entity body with every listed Content-Encoding undone (last applied first)."""
    if not content_encoding:
        return body
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        try:
            if coding in ("gzip", "x-gzip"):
                body = _inflate(body, 16 + zlib.MAX_WBITS, max_size)
            elif coding == "deflate":
                try:
                    body = _inflate(body, zlib.MAX_WBITS, max_size)
                except zlib.error:  # servers often send raw deflate without the zlib header
                    body = _inflate(body, -zlib.MAX_WBITS, max_size)
            elif coding == "br":
                decoded = brotli.decompress(body)
                if len(decoded) > max_size:
                    raise ContentDecodingError(f"decodes to more than {max_size} bytes")
                body = decoded
            elif coding in ("identity", ""):
                continue
            else:
                raise ContentDecodingError(f"unknown Content-Encoding {coding!r}")
        except (zlib.error, brotli.error) as exc:
            raise ContentDecodingError(f"body is not valid {coding}: {exc}") from exc
    return body
