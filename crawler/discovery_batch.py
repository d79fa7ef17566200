"""Discovery for many portals in one go: a CSV of agencies and home pages in, a source file and a
review table out.

`read_portal_list` reads the CSV (columns `agency`, `home_url`, optional `region`, `level`, `id`;
Chinese headers 机关/单位, 网址/首页, 地区, 层级 too). `discover_many` runs `crawler.discovery.discover`
for each row on a few threads at once (`concurrency`), politely as a crawl is: robots.txt obeyed for
nianbao's User-Agent (a disallowed page is a failure with that reason), its Crawl-delay and at least
`delay` seconds between two requests to one host, one request at a time per host. Each row ends as

- `found`: the 年报 column was reached; the source lists it in `column_urls`;
- `guessed`: the home page answered but no column was found within two hops; the source starts at
  the home page and its family is the fingerprint's guess, to be reviewed;
- `failed`: the home page did not answer (or robots.txt forbids it); no source is written.

Every source written says where its URL came from (`provenance:`) and is `verified: false`.
"""

from __future__ import annotations

import csv
import re
import threading
import time
import urllib.error
import urllib.robotparser
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler import settings as crawl_settings
from crawler.discovery import Discovery, Fetch, discover, discovered_source, http_fetch
from crawler.sources import LEVELS, Source, SourcesError

FOUND, GUESSED, FAILED = "found", "guessed", "failed"
_HEADERS = {
    "agency": ("agency", "机关", "单位", "机关名称"),
    "home_url": ("home_url", "home", "url", "网址", "首页", "门户网址"),
    "region": ("region", "地区"),
    "level": ("level", "层级"),
    "id": ("id",),
}


@dataclass(frozen=True)
class PortalRow:
    line: int  # the CSV line, for the review table and the provenance
    agency: str
    home_url: str
    region: str | None = None
    level: str | None = None
    source_id: str | None = None


@dataclass
class BatchResult:
    row: PortalRow
    outcome: str  # found | guessed | failed
    found: Discovery
    source: Source | None = None


class RobotsDisallowed(ValueError):
    """robots.txt forbids nianbao this page (discovery records it as the portal's failure)."""


def read_portal_list(path: str | Path) -> list[PortalRow]:
    """The portals of a CSV file; raises SourcesError naming the line of a bad row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    reader = csv.DictReader(text.splitlines())
    columns = {
        name: next((h for h in reader.fieldnames or () if h.strip().lower() in aliases), None)
        for name, aliases in _HEADERS.items()
    }
    if columns["agency"] is None or columns["home_url"] is None:
        raise SourcesError(f"{path}: expected the columns agency and home_url (then region, level)")
    rows = []
    for line, record in enumerate(reader, start=2):

        def cell(name: str, record: dict[str, str] = record) -> str | None:
            column = columns[name]
            value = (record.get(column) or "").strip() if column else ""
            return value or None

        agency, home = cell("agency"), cell("home_url")
        if not agency and not home:
            continue  # a blank line
        if not agency or not home or urlsplit(home).scheme not in ("http", "https"):
            raise SourcesError(f"{path}:{line}: needs an agency and an http(s) home URL")
        level = cell("level")
        if level is not None and level not in LEVELS:
            raise SourcesError(f"{path}:{line}: level must be one of {', '.join(LEVELS)}")
        rows.append(PortalRow(line, agency, home, cell("region"), level, cell("id")))
    return rows


def source_id_for(row: PortalRow, taken: set[str]) -> str:
    """The row's id, or one made from its host (`www.ly.gov.cn` → `ly-gov-cn`), unique in `taken`."""
    base = row.source_id or re.sub(
        r"[^a-z0-9]+", "-", urlsplit(row.home_url).netloc.lower().removeprefix("www.")
    ).strip("-")
    candidate, n = base or "portal", 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


class PoliteFetch:
    """`http_fetch` with a crawl's manners: robots.txt (and its Crawl-delay) and a per-host pace."""

    def __init__(self, delay: float, fetch: Fetch = http_fetch) -> None:
        self.delay = delay
        self.fetch = fetch
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def _host_lock(self, host: str) -> threading.Lock:
        with self._lock:
            return self._hosts.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str, pause: float) -> None:
        wait = self._last.get(host, 0.0) + pause - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last[host] = time.monotonic()

    def _robots_of(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        if parts.netloc not in self._robots:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser: urllib.robotparser.RobotFileParser | None = None
            self._wait_turn(parts.netloc, self.delay)
            try:
                _, body, _ = self.fetch(robots_url)
                parser = urllib.robotparser.RobotFileParser(robots_url)
                parser.parse(body.decode("utf-8", "replace").splitlines())
            except (OSError, urllib.error.URLError, ValueError):
                parser = None  # no robots.txt (or it does not answer): nothing forbidden
            self._robots[parts.netloc] = parser
        return self._robots[parts.netloc]

    def __call__(self, url: str) -> tuple[str, bytes, dict[str, str]]:
        host = urlsplit(url).netloc
        with self._host_lock(host):
            robots = self._robots_of(url)
            agent = crawl_settings.USER_AGENT
            if robots is not None and not robots.can_fetch(agent, url):
                raise RobotsDisallowed(f"robots.txt disallows {url}")
            crawl_delay = robots.crawl_delay(agent) if robots is not None else None
            self._wait_turn(host, max(self.delay, float(crawl_delay or 0)))
            return self.fetch(url)


def discover_many(
    rows: Iterable[PortalRow],
    *,
    concurrency: int = 4,
    delay: float = 1.0,
    allow_private: bool = False,
    source_file: str = "",
    fetch: Fetch = http_fetch,
    progress: Callable[[BatchResult], None] | None = None,
    taken_ids: Iterable[str] = (),
) -> list[BatchResult]:
    """Discover every row's portal, at most `concurrency` at once; results in the rows' order."""
    rows = list(rows)
    polite = PoliteFetch(delay, fetch)
    taken = set(taken_ids)
    ids = [source_id_for(row, taken) for row in rows]
    today = datetime.now(UTC).date().isoformat()

    def one(index: int) -> BatchResult:
        row = rows[index]
        found = discover(row.home_url, polite)
        if found.problem.startswith("home page unreachable"):
            result = BatchResult(row, FAILED, found)
        else:
            source = discovered_source(found, ids[index], row.agency, allow_private)
            outcome = FOUND if found.column_url else GUESSED
            how = (
                "column found by `nianbao sources discover --from` on " + today
                if outcome == FOUND
                else "no 年报 column found within two hops on " + today + "; family guessed"
            )
            extra = {
                **source.extra,
                "provenance": f"home URL from {source_file or 'the portal list'} line {row.line}; "
                + how,
            }
            source = replace(source, region=row.region, level=row.level, extra=extra)
            result = BatchResult(row, outcome, found, source)
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, range(len(rows))))


_REVIEW_COLUMNS = (
    "line",
    "id",
    "agency",
    "region",
    "level",
    "home_url",
    "outcome",
    "family_guess",
    "column_url",
    "path",
    "problem",
)


def review_rows(results: Iterable[BatchResult]) -> list[dict[str, str]]:
    """One row per portal for a person to review: what was found, guessed, and what failed."""
    return [
        {
            "line": str(r.row.line),
            "id": r.source.id if r.source else "",
            "agency": r.row.agency,
            "region": r.row.region or "",
            "level": r.row.level or "",
            "home_url": r.row.home_url,
            "outcome": r.outcome,
            "family_guess": r.found.family if r.outcome != FAILED else "",
            "column_url": r.found.column_url or "",
            "path": " → ".join(r.found.path),
            "problem": r.found.problem,
        }
        for r in results
    ]


def write_review(results: Iterable[BatchResult], path: str | Path) -> None:
    """The review table as CSV, or as Markdown when `path` ends in `.md`."""
    path = Path(path)
    rows = review_rows(results)
    if path.suffix.lower() == ".md":

        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [
            "| " + " | ".join(_REVIEW_COLUMNS) + " |",
            "|" + " --- |" * len(_REVIEW_COLUMNS),
            *("| " + " | ".join(cell(row[c]) for c in _REVIEW_COLUMNS) + " |" for row in rows),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=_REVIEW_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
