"""A URL's site as one spelling: the host lower-cased, with its port unless the scheme's default.

The crawl's canonical URLs (`crawler.spiders.links.canonical_url`) and the test of whether a
page's picture is on the page's own site (`table_images`) must agree on it. `registered_site` is
the name an organisation's hosts share (www. and img. of one government's domain), for the
pictures a page may keep on a sister host.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_DEFAULT_PORTS = (("http", 80), ("https", 443))


def site_of(url: str) -> str:
    """`host` or `host:port` of `url` (`http://Example.gov.cn:80/x` → `example.gov.cn`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    return host if port is None or (parts.scheme, port) in _DEFAULT_PORTS else f"{host}:{port}"


# Second-level names under which an organisation's own name is the third label (pingtan.gov.cn):
# China's government, education, research, company, network and organisation domains.
_SECOND_LEVEL = frozenset({"gov.cn", "edu.cn", "ac.cn", "com.cn", "net.cn", "org.cn"})


def registered_site(url: str) -> str:
    """The name an organisation's hosts share: `http://img.pingtan.gov.cn/a.png` and
    `https://www.pingtan.gov.cn/` → `pingtan.gov.cn`, `cdn.example.com` → `example.com`; with the
    port unless the scheme's default. An IP address is its own site (`site_of`), port and all."""
    site = site_of(url)
    host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return site
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 3:
        return site
    kept = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    name = ".".join(labels[-kept:])
    return name + site[len(host) :]  # the port, if `site_of` kept one
