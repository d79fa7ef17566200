"""What a sample site does besides serving its pages: the failures and changes real portals show.

Each site has a mode (how the whole site behaves) and per-path withdrawals; reports can be changed
in place. Tests drive this through `SamplePortal` methods or over HTTP with the control endpoint
`/-/control` on each site:

    /-/control?mode=blocked-jsl               the whole site answers with 加速乐 challenges
    /-/control?change=/path/of/report.htm     a report's numbers change (a corrected version)
    /-/control?withdraw=/path&kind=redirect   a report disappears (404 | redirect | deleted)
    /-/control?crawl_delay=2                  robots.txt asks for a Crawl-delay of 2 s
    /-/control?reset=1                        back to normal (changes stay)

Modes: normal; blocked-ruishu (HTTP 412 with a `$_ts` script and 瑞数-style cookies); blocked-jsl
(HTTP 521 with a script setting `__jsl_clearance`); broken (HTTP 500 everywhere); robots
(robots.txt disallows everything); empty (the report column lists nothing).
"""

from __future__ import annotations

MODES = ("normal", "blocked-ruishu", "blocked-jsl", "broken", "robots", "empty")
WITHDRAWAL_KINDS = ("404", "redirect", "deleted")

RUISHU_PAGE = (
    b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
    b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="x0Yz.k3Qm" r="m"></head><body>'
    b"<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=72541;$_ts.cd='qqqqqqqqqq';</script>"
    b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.js"></script>'
    b"</body></html>"
)
JSL_PAGE = (
    b"<html><script>document.cookie=('_')+('_')+('j')+('sl')+('_')+('clearance')+('_s=')"
    b"+(+new Date()+'|0|'+'abc');location.href=location.pathname+location.search</script></html>"
)
DELETED_PAGE = (
    "<html><head><meta charset='utf-8'><title>提示信息</title></head><body>"
    "<div class='tips'>您访问的信息已删除或不存在！<a href='/'>返回首页</a></div></body></html>"
).encode()
ROBOTS_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class SiteBehaviour:
    """The mutable state a site's handler consults on every request."""

    def __init__(self) -> None:
        self.mode = "normal"
        self.withdrawn: dict[str, str] = {}  # path -> kind
        self.crawl_delay: float | None = None  # asked for in robots.txt when set

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        self.mode = mode

    def withdraw(self, path: str, kind: str) -> None:
        if kind not in WITHDRAWAL_KINDS:
            raise ValueError(
                f"unknown withdrawal {kind!r}; expected one of {', '.join(WITHDRAWAL_KINDS)}"
            )
        self.withdrawn[path] = kind

    def reset(self) -> None:
        self.mode = "normal"
        self.withdrawn.clear()
        self.crawl_delay = None

    def override(self, path: str, column_url: str) -> tuple[int, str, bytes, dict[str, str]] | None:
        """The response that replaces the normal one for `path`, or None to serve normally."""
        if self.mode == "robots" and path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS_DISALLOW_ALL, {}
        if path == "/robots.txt":
            if self.crawl_delay is None:
                return None
            robots = f"User-agent: *\nCrawl-delay: {self.crawl_delay:g}\nDisallow: /admin/\n"
            return 200, "text/plain; charset=utf-8", robots.encode(), {}
        if self.mode == "blocked-ruishu":
            cookies = "FSSBBIl1UgzbN7N80S=Xq9.kfzPzWd0; Path=/; HttpOnly"
            return 412, "text/html; charset=utf-8", RUISHU_PAGE, {"Set-Cookie": cookies}
        if self.mode == "blocked-jsl":
            return 521, "text/html", JSL_PAGE, {}
        if self.mode == "broken":
            return (
                500,
                "text/html; charset=utf-8",
                b"<html><body>500 Internal Server Error</body></html>",
                {},
            )
        kind = self.withdrawn.get(path)
        if kind == "404":
            return (
                404,
                "text/html; charset=utf-8",
                b"<html><body><h1>404 Not Found</h1></body></html>",
                {},
            )
        if kind == "redirect":
            return 302, "text/html; charset=utf-8", b"", {"Location": column_url}
        if kind == "deleted":
            return 200, "text/html; charset=utf-8", DELETED_PAGE, {}
        return None
