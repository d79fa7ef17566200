"""Recognising anti-bot challenge pages, so they are never mistaken for (or archived as) reports.

Chinese government portals commonly sit behind 瑞数 (Riversecurity: HTTP 412 with a `$_ts` script and
its cookies), 加速乐 (Knownsec: HTTP 521 with a script that sets `__jsl_clearance`) or plain captcha /
"access verification" pages. Pure: status, headers and body in, the kind of challenge out.
"""

from __future__ import annotations

import re

_RUISHU_BODY = re.compile(rb"\$_ts\s*=|\$_ts\.|\bFSSBBIl1UgzbN7N\w*|\bNfBCSins2Oyw\w*")
_RUISHU_COOKIE = re.compile(r"^(FSSBBIl1UgzbN7N\w*|NfBCSins2Oyw\w*|\w{10,}[OST])=", re.IGNORECASE)
# 加速乐 obfuscates the cookie name ("('_')+('_')+('j')+('sl')…"), so the script is recognised by its
# shape: a tiny page that sets document.cookie and reloads itself.
_JSL_BODY = re.compile(
    rb"__jsl_clearance|\('j'\)\s*\+\s*\('sl'\)|document\.cookie\s*=.{0,400}location\.href",
    re.DOTALL,
)
_CAPTCHA_BODY = re.compile(
    "(请完成安全验证|访问验证|人机验证|滑动验证|请输入验证码|访问过于频繁|您的访问请求被拦截|安全狗|云盾|"
    "Access Denied|Please enable JavaScript and cookies)".encode()
)
# Each alternative of _JSL_BODY needs one of these literally: a plain substring test (memchr fast)
# rules the regex out for almost every page; the crawl asks this of every response.
_JSL_MARKS = (b"__jsl_clearance", b"('sl')", b"document.cookie")
# Challenge pages are small; a real report page that mentions 验证码 in passing is not one.
_SMALL = 20_000


def detect_challenge(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """A short description of the challenge this response is, or None for a normal response."""
    head = body[:_SMALL]
    set_cookie = headers.get("set-cookie", "")
    if status == 412 and (_RUISHU_BODY.search(head) or _RUISHU_COOKIE.search(set_cookie)):
        return "瑞数 challenge (HTTP 412 with its script and cookies)"
    small = len(body) < _SMALL
    if (
        small
        and status in (521, 403, 200)
        and any(mark in head for mark in _JSL_MARKS)
        and _JSL_BODY.search(head)
    ):
        return "加速乐 __jsl_clearance JavaScript cookie challenge"
    if small and status in (200, 403, 405, 429, 503) and _CAPTCHA_BODY.search(head):
        return f"challenge page (HTTP {status})"
    if status == 412:
        return "HTTP 412 challenge"
    return None
