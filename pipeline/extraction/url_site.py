"""A URL's site as one spelling: the host lower-cased, with its port unless the scheme's default.

The crawl's canonical URLs (`crawler.spiders.links.canonical_url`) and the test of whether a
page's picture is on the page's own site (`table_images`) must agree on it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = (("http", 80), ("https", 443))


def site_of(url: str) -> str:
    """`host` or `host:port` of `url` (`http://Example.gov.cn:80/x` → `example.gov.cn`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    return host if port is None or (parts.scheme, port) in _DEFAULT_PORTS else f"{host}:{port}"
