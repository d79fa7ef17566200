"""Which URLs the crawler's host guard refuses, and why (crawler.middlewares.host_guard, pure parts)."""

from __future__ import annotations

import pytest

from archive.content import ContentDecodingError, decode_content
from crawler.middlewares.host_guard import forbidden_address, refusal
from crawler.sources import Source

PUBLIC = Source(
    id="gov", agency="某局", family="plain", start_urls=("http://www.example.gov.cn/",),
    allowed_hosts=("www.example.gov.cn", "203.0.113.7"),
)  # fmt: skip
SAMPLE = Source(
    id="sample", agency="示例", family="plain", start_urls=("http://127.0.0.1:8100/",),
    allowed_hosts=("127.0.0.1:8100",), allow_private=True,
)  # fmt: skip


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1",
     "[::1]", "fe80::1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1", "240.0.0.1"],
)  # fmt: skip
def test_private_loopback_link_local_and_reserved_addresses_are_forbidden(host: str) -> None:
    assert forbidden_address(host) is not None


@pytest.mark.parametrize("host", ["8.8.8.8", "203.0.114.1", "2001:4860::8888", "www.gov.cn"])
def test_public_addresses_and_names_are_not_refused_before_resolution(host: str) -> None:
    assert forbidden_address(host) is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://www.example.gov.cn/x.pdf",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://evil.example.com/www.example.gov.cn/",
        "http://www.example.gov.cn.evil.com/",
    ],
)
def test_non_http_schemes_and_foreign_hosts_are_refused(url: str) -> None:
    assert refusal(url, PUBLIC, [PUBLIC]) is not None


def test_an_allowed_host_that_is_a_private_address_is_refused_without_allow_private() -> None:
    source = Source(
        id="x", agency="x", family="plain", start_urls=("http://10.1.2.3/",),
        allowed_hosts=("10.1.2.3",),
    )  # fmt: skip
    reason = refusal("http://10.1.2.3/nb/", source, [source])
    assert reason is not None and "private" in reason


def test_allow_private_permits_only_the_allowed_loopback_host() -> None:
    assert refusal("http://127.0.0.1:8100/zwgk/", SAMPLE, [SAMPLE]) is None
    for url in ("http://127.0.0.1:9/", "http://127.0.0.2:8100/", "http://[::1]:8100/",
                "http://169.254.169.254/latest/meta-data/", "http://localhost:8100/"):  # fmt: skip
        assert refusal(url, SAMPLE, [SAMPLE]) is not None, url


def test_a_request_without_a_source_must_be_on_some_source_host() -> None:
    assert refusal("http://www.example.gov.cn/robots.txt", None, [PUBLIC, SAMPLE]) is None
    assert refusal("http://10.0.0.1/robots.txt", None, [PUBLIC, SAMPLE]) is not None


def test_a_gzip_bomb_is_stopped_at_the_cap_without_inflating_it_all() -> None:
    import gzip

    bomb = gzip.compress(b"\0" * (16 * 2**20), compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(ContentDecodingError, match="more than"):
        decode_content(bomb, "gzip", max_size=2**20)
    assert len(decode_content(bomb, "gzip", max_size=32 * 2**20)) == 16 * 2**20
