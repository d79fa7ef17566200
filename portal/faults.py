"""Fault injection for the sample portal: the ways real portals and networks fail, seeded and counted.

    spec = parse_spec("5xx=0.05,429=0.03,timeout=0.01,trap=1,hold_s=2")   # or parse_spec("heavy")
    with SamplePortal(synthetic=100, faults=spec, seed=1) as portal: ...
    portal.faults.counts()          # {"5xx": 12, "429": 7, ...}; also GET /-/faults on any site

Each request draws one fault (or none) from a generator seeded with (seed, site, path, attempt), so a
run is reproducible while a retry of the same URL draws again and may succeed: the faults are
transient. A `permanent` fraction of the report documents fail the same way on every attempt, so the
"failed with its reason" outcome is exercised too.

Kinds (rates are per-request probabilities; `trap` is a switch):
  5xx, 429 (with Retry-After), timeout (holds the connection `hold_s` seconds, then closes it), drip
  (sends the body over `drip_s` seconds), reset (half the body, then a TCP RST), truncate
  (Content-Length longer than the body), redirect_loop, oversize (announces 64 MiB), gzip_bomb
  (128 MiB of zeros, gzip-encoded), charset (a lying charset header), challenge (加速乐/瑞数 page),
  private_redirect (to a private, loopback or link-local address, or a file: URL), trap (list pages
  that announce one more page forever: a calendar trap; see `Site.calendar_trap`).

Navigation and list pages only get the kinds a retry cures; the others hit report documents only,
where their outcome is recorded per URL.
"""

from __future__ import annotations

import gzip
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portal.behaviour import JSL_PAGE, RUISHU_PAGE

if TYPE_CHECKING:
    from portal.sites import Site

FAULTS_PATH = "/-/faults"
KINDS = (
    "5xx",
    "429",
    "timeout",
    "drip",
    "reset",
    "truncate",
    "redirect_loop",
    "trap",
    "oversize",
    "gzip_bomb",
    "charset",
    "challenge",
    "private_redirect",
)
# Faults whose effect a retry cures; anything else is only injected on report documents.
RETRYABLE = frozenset({"5xx", "429", "timeout", "drip", "reset", "truncate"})
PERMANENT_KINDS = ("5xx", "oversize", "reset")
PRESETS = {
    "heavy": (
        "5xx=0.05,429=0.03,timeout=0.01,drip=0.01,reset=0.02,truncate=0.02,redirect_loop=0.005,"
        "trap=1,oversize=0.002,gzip_bomb=0.002,charset=0.02,challenge=0.01,private_redirect=0.005,"
        "permanent=0.001"
    ),
    "none": "",
}
OVERSIZE_BYTES = 64 * 2**20
BOMB_BYTES = 128 * 2**20
LOOP_PARAM = "nianbao_loop"
_OPTIONS = {"hold_s", "drip_s", "permanent", "retry_after"}


@dataclass(frozen=True)
class FaultSpec:
    """Per-request fault rates by kind, and how the slow and permanent faults behave."""

    rates: dict[str, float] = field(default_factory=dict)
    hold_s: float = 5.0  # how long a "timeout" holds the connection (longer than DOWNLOAD_TIMEOUT)
    drip_s: float = 1.0  # how long a "drip" takes to send its body
    permanent: float = 0.0  # fraction of report documents that fail on every attempt
    retry_after: int = 1  # seconds, in the Retry-After of a 429

    @property
    def trap(self) -> bool:
        return self.rates.get("trap", 0) > 0

    def describe(self) -> str:
        parts = [f"{kind}={rate:g}" for kind, rate in self.rates.items()]
        parts += [f"hold_s={self.hold_s:g}", f"drip_s={self.drip_s:g}"]
        return ",".join(parts + [f"permanent={self.permanent:g}"])


def parse_spec(text: str) -> FaultSpec:
    """`kind=rate,…` (plus hold_s, drip_s, permanent, retry_after) or a preset name; ValueError if bad.

    Later pairs override earlier ones, so `heavy,timeout=0` is the heavy mix without timeouts.
    """
    rates: dict[str, float] = {}
    options: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part in PRESETS:
            preset = parse_spec(PRESETS[part])
            rates.update(preset.rates)
            options.update(hold_s=preset.hold_s, drip_s=preset.drip_s, permanent=preset.permanent)
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"{part!r} is not KIND=RATE (kinds: {', '.join(KINDS)})")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{part!r}: {value!r} is not a number") from None
        if number < 0:
            raise ValueError(f"{part!r}: negative")
        if name in _OPTIONS:
            options[name] = number
        elif name in KINDS:
            rates[name] = number
        else:
            raise ValueError(f"unknown fault kind {name!r}; expected one of {', '.join(KINDS)}")
    if sum(rate for kind, rate in rates.items() if kind != "trap") > 1:
        raise ValueError("fault rates add up to more than 1")
    return FaultSpec(
        rates={k: v for k, v in rates.items() if v > 0},
        hold_s=options.get("hold_s", 5.0),
        drip_s=options.get("drip_s", 1.0),
        permanent=min(1.0, options.get("permanent", 0.0)),
        retry_after=int(options.get("retry_after", 1)),
    )


class FaultInjector:
    """Decides and performs the fault of each request; counts what it injected."""

    def __init__(self, spec: FaultSpec, seed: int = 0) -> None:
        self.spec = spec
        self.seed = seed
        self.sites: list[Site] = []
        self._counts: Counter[str] = Counter()
        self._attempts: Counter[tuple[str, str]] = Counter()
        self._permanent: dict[tuple[str, str], str] = {}  # (site base URL, path) -> kind
        self._forced: dict[tuple[str, str], tuple[str, int]] = {}  # -> (kind, first N attempts)
        self._lock = threading.Lock()
        self._bomb: bytes | None = None
        if spec.rates.get("gzip_bomb", 0) > 0:
            self.bomb()  # built before serving: compressing 128 MiB takes a second or more

    # -- setup and figures ------------------------------------------------------------------------

    def choose_permanent(self, urls: list[str]) -> dict[str, str]:
        """Pick round(permanent × len(urls)) report URLs that fail every time; URL -> kind."""
        count = round(self.spec.permanent * len(urls))
        chosen = random.Random(f"{self.seed}|permanent").sample(sorted(urls), count)
        picked = {url: PERMANENT_KINDS[i % len(PERMANENT_KINDS)] for i, url in enumerate(chosen)}
        for url, kind in picked.items():
            base, path = _split_url(url)
            self._permanent[(base, path)] = kind
        return picked

    def force(self, url: str, kind: str, attempts: int = 1) -> None:
        """Answer the first `attempts` requests of `url` with fault `kind` (tests of one kind)."""
        if kind not in KINDS or kind == "trap":
            raise ValueError(f"cannot force {kind!r}")
        self._forced[_split_url(url)] = (kind, attempts)
        if kind == "gzip_bomb":
            self.bomb()  # ready before the request, so it is not mistaken for a timeout

    def permanent_urls(self) -> dict[str, str]:
        return {base + path: kind for (base, path), kind in self._permanent.items()}

    def counts(self) -> dict[str, int]:
        """Faults injected so far, by kind (trap: list pages served past the real last page)."""
        with self._lock:
            counts = dict(self._counts)
        traps = sum(site.trap_pages_served for site in self.sites)
        if traps:
            counts["trap"] = traps
        return dict(sorted(counts.items()))

    # -- per request ------------------------------------------------------------------------------

    def choose(self, site: Site, target: str, leaf: bool) -> str | None:
        """The fault for this request of `target` (path and query) on `site`, or None."""
        path = target.partition("?")[0]
        with self._lock:
            self._attempts[(site.base_url, target)] += 1
            attempt = self._attempts[(site.base_url, target)]
        permanent = self._permanent.get((site.base_url, path))
        if permanent is not None:
            return permanent
        forced = self._forced.get((site.base_url, target))
        if forced is not None:
            return forced[0] if attempt <= forced[1] else None
        draw = random.Random(f"{self.seed}|{site.base_url}|{target}|{attempt}").random()
        threshold = 0.0
        for kind, rate in self.spec.rates.items():
            if kind == "trap":
                continue
            threshold += rate
            if draw < threshold:
                return kind if (leaf or kind in RETRYABLE) else None
        return None

    def deliver(
        self,
        handler: Any,
        site: Site,
        status: int,
        content_type: str | None,
        body: bytes,
        headers: dict[str, str],
        with_body: bool,
    ) -> bool:
        """Answer the handler's request with a fault instead of the normal response; False if none.

        `handler` is the portal's `BaseHTTPRequestHandler`; its normal response is passed in so the
        faults that damage a response (drip, truncate, reset, charset) damage the real one.
        """
        target = handler.path
        path, _, query = target.partition("?")
        if path.startswith("/-/") or path == "/robots.txt" or status not in (200, 304):
            return False
        if LOOP_PARAM in query:
            _plain(handler, 302, b"", {"Location": _next_hop(path, query)})
            return True
        kind = self.choose(site, target, leaf=site.url(path) in site.specs)
        needs_body = kind in ("drip", "truncate", "reset", "charset")
        if kind is None or (needs_body and (status != 200 or not with_body)):
            return False
        with self._lock:
            self._counts[kind] += 1
        perform = getattr(
            self, "_" + kind.replace("5xx", "server_error").replace("429", "too_many")
        )
        perform(handler, site, path, content_type, body, headers)
        return True

    # -- the faults -------------------------------------------------------------------------------

    def _server_error(self, handler: Any, site: Site, path: str, *_: Any) -> None:
        status = random.Random(f"{self.seed}|{path}").choice((500, 502, 503, 504))
        _plain(handler, status, b"<html><body>Server Error</body></html>", {})

    def _too_many(self, handler: Any, *_: Any) -> None:
        _plain(handler, 429, b"Too Many Requests", {"Retry-After": str(self.spec.retry_after)})

    def _timeout(self, handler: Any, *_: Any) -> None:
        time.sleep(self.spec.hold_s)
        handler.close_connection = True  # nothing was sent: the client gives up first

    def _drip(self, handler: Any, site: Site, path: str, content_type: Any, body: bytes,
              headers: dict[str, str]) -> None:  # fmt: skip
        _head(handler, 200, content_type, len(body), headers)
        pieces = 10
        step = max(1, -(-len(body) // pieces))
        try:
            for start in range(0, len(body), step):
                handler.wfile.write(body[start : start + step])
                handler.wfile.flush()
                time.sleep(self.spec.drip_s / pieces)
        except OSError:
            handler.close_connection = True

    def _truncate(self, handler: Any, site: Site, path: str, content_type: Any, body: bytes,
                  headers: dict[str, str]) -> None:  # fmt: skip
        _head(handler, 200, content_type, len(body) + 4096, headers)
        _write(handler, body[: len(body) // 2])
        handler.close_connection = True

    def _reset(self, handler: Any, site: Site, path: str, content_type: Any, body: bytes,
               headers: dict[str, str]) -> None:  # fmt: skip
        _head(handler, 200, content_type or "text/html", max(len(body), 1024), headers)
        _write(handler, body[: len(body) // 2])
        # SO_LINGER 0: closing sends RST instead of FIN, as a crashed proxy does.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True

    def _charset(self, handler: Any, site: Site, path: str, content_type: Any, body: bytes,
                 headers: dict[str, str]) -> None:  # fmt: skip
        declared = (content_type or "").lower()
        if declared.startswith("text/"):
            lie = "utf-8" if ("gbk" in declared or "gb2312" in declared) else "gbk"
            content_type = f"{declared.split(';')[0]}; charset={lie}"
        _plain(handler, 200, body, headers, content_type or "application/octet-stream")

    def _redirect_loop(self, handler: Any, site: Site, path: str, *_: Any) -> None:
        _plain(handler, 302, b"", {"Location": _next_hop(path, "")})

    def _oversize(self, handler: Any, *_: Any) -> None:
        _head(handler, 200, "application/pdf", OVERSIZE_BYTES, {})
        chunk = b"\0" * 65536
        try:
            for _chunk_number in range(OVERSIZE_BYTES // len(chunk)):
                handler.wfile.write(chunk)
        except OSError:
            pass  # the crawler hung up on seeing the Content-Length, as it should
        handler.close_connection = True

    def _gzip_bomb(self, handler: Any, *_: Any) -> None:
        headers = {"Content-Encoding": "gzip"}
        _plain(handler, 200, self.bomb(), headers, "text/html; charset=utf-8")

    def _challenge(self, handler: Any, site: Site, path: str, *_: Any) -> None:
        if random.Random(f"{self.seed}|challenge|{path}").random() < 0.5:
            _plain(handler, 521, JSL_PAGE, {}, "text/html")
        else:
            cookie = {"Set-Cookie": "FSSBBIl1UgzbN7N80S=Xq9.kfzPzWd0; Path=/; HttpOnly"}
            _plain(handler, 412, RUISHU_PAGE, cookie)

    def _private_redirect(self, handler: Any, site: Site, path: str, *_: Any) -> None:
        port = site.base_url.rsplit(":", 1)[1]
        # The same path elsewhere: a redirect that looks like a host move, not a withdrawal.
        targets = (
            f"http://10.0.0.1{path}",
            f"http://169.254.169.254{path}",
            f"http://127.0.0.2:{port}{path}",
            f"http://[::1]:{port}{path}",
            f"http://192.168.1.1{path}",
            f"file://{path}",
        )
        target = random.Random(f"{self.seed}|private|{path}").choice(targets)
        _plain(handler, 302, b"", {"Location": target})

    def bomb(self) -> bytes:
        """128 MiB of zeros, gzip-compressed to about 130 kB (built once)."""
        if self._bomb is None:
            with self._lock:
                if self._bomb is None:
                    compressor = gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9, mtime=0)
                    self._bomb = compressor
        return self._bomb


def _next_hop(path: str, query: str) -> str:
    """The next URL of a redirect loop: the same path, a new query each hop, never an end."""
    step = 0
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == LOOP_PARAM and value.isdigit():
            step = int(value)
    return f"{path}?{LOOP_PARAM}={step + 1}"


def _split_url(url: str) -> tuple[str, str]:
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}", slash + path


def _head(
    handler: Any, status: int, content_type: str | None, length: int, headers: dict[str, str]
) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _write(handler: Any, data: bytes) -> None:
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except OSError:
        handler.close_connection = True


def _plain(
    handler: Any,
    status: int,
    body: bytes,
    headers: dict[str, str],
    content_type: str = "text/html; charset=utf-8",
) -> None:
    _head(handler, status, content_type, len(body), {"Cache-Control": "no-store", **headers})
    if handler.command != "HEAD":
        _write(handler, body)
