"""Finding a portal's 政府信息公开年报 column from its home page, and checking source files.

Given only a home page, `discover` walks at most two hops (home → 政务公开 → 年报) using the same link
recognition the spiders use, guesses the site family from the page's fingerprints, and returns what
it found for a person to review before it goes into a source file (`verified: false`, with its
`provenance`). `check_sources` validates a source file further than loading does: duplicate portals,
and (optionally, over the network) start URLs that do not answer; `mark_sources` writes back which
answered (`answered:`) and which a crawl has seen reports from (`verified: true`).

Plain blocking HTTP (urllib) is enough here: a handful of pages per portal
(`crawler.discovery_batch` runs many portals at once, politely).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
import yaml
from scrapy.http import HtmlResponse

from crawler import settings as crawl_settings
from crawler.sources import Source, load_sources
from crawler.spiders.links import MAX_HOME_HOPS, Link, is_open_gov, is_report_column, links_of

MAX_BYTES = 5 * 2**20
TIMEOUT = 20
Fetch = Callable[[str], tuple[str, bytes, dict[str, str]]]  # url -> (final url, body, headers)

_TRS = re.compile(rb"TRS_Editor|createPageHTML|/t\d{8}_\d+\.htm|TRS WCM", re.I)
_HANWEB = re.compile(rb"/col/col\d+/|/art/\d{4}/\d+/\d+/art_\d+_\d+\.html|hanweb|jcms", re.I)


@dataclass
class Discovery:
    home_url: str
    family: str
    column_url: str | None = None
    path: list[str] = field(default_factory=list)  # the pages walked, home first
    title: str = ""  # the home page's <title>, a hint for the agency's name
    problem: str = ""


def http_fetch(url: str) -> tuple[str, bytes, dict[str, str]]:
    """GET `url` politely (nianbao's User-Agent), capped in size and time."""
    request = urllib.request.Request(url, headers={"User-Agent": crawl_settings.USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http(s) only)
        body = response.read(MAX_BYTES + 1)[:MAX_BYTES]
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response.geturl(), body, headers


def family_of(body: bytes) -> str:
    """The CMS family a page looks like it was made with; `auto` (the crawl detects the pager
    and list style on each list page) when it carries no CMS's fingerprint."""
    if _TRS.search(body):
        return "trs"
    if _HANWEB.search(body):
        return "hanweb"
    return "auto"


def _page(url: str, fetch: Fetch) -> HtmlResponse:
    final_url, body, headers = fetch(url)
    return HtmlResponse(final_url, body=body, headers=headers)


def discover(home_url: str, fetch: Fetch = http_fetch) -> Discovery:
    """Walk from `home_url` to its 年报 column; report what was found (or why not)."""
    host = urlsplit(home_url).netloc
    try:
        home = _page(home_url, fetch)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        return Discovery(home_url, "auto", problem=f"home page unreachable: {exc}")
    found = Discovery(home_url, family_of(home.body), path=[home.url])
    found.title = (home.xpath("//title/text()").get() or "").strip()
    frontier: list[HtmlResponse] = [home]
    seen = {home.url}
    for _ in range(MAX_HOME_HOPS + 1):
        next_frontier: list[HtmlResponse] = []
        for page in frontier:
            links = [link for link in links_of(page) if urlsplit(link.url).netloc == host]
            column = next((link for link in links if is_report_column(link)), None)
            if column is not None:
                found.column_url = column.url
                found.path.append(column.url)
                try:
                    found.family = family_of(_page(column.url, fetch).body) or found.family
                except (OSError, urllib.error.URLError, ValueError):
                    pass
                return found
            for link in _open_gov_links(links):
                if link.url in seen:
                    continue
                seen.add(link.url)
                try:
                    next_frontier.append(_page(link.url, fetch))
                    found.path.append(link.url)
                except (OSError, urllib.error.URLError, ValueError):
                    continue
        frontier = next_frontier
    found.problem = "no 政府信息公开年报 column found within two hops of the home page"
    return found


def _open_gov_links(links: list[Link]) -> list[Link]:
    return [link for link in links if is_open_gov(link)][:5]


def discovered_source(found: Discovery, source_id: str, agency: str, allow_private: bool) -> Source:
    """A source entry for review: the found column, marked unverified."""
    host = urlsplit(found.home_url).netloc.lower()
    return Source(
        id=source_id,
        agency=agency,
        family=found.family,
        start_urls=(found.home_url,),
        allowed_hosts=(host,),
        column_urls=(found.column_url,) if found.column_url else (),
        allow_private=allow_private,
        verified=False,
        extra={
            "notes": "found by `nianbao sources discover`; review before use: "
            + " → ".join(found.path),
            "provenance": "home URL given to `nianbao sources discover`"
            + ("; column found from it" if found.column_url else "; no column found"),
        },
    )


def check_sources(sources: list[Source], fetch: Fetch | None = None) -> list[str]:
    """Problems beyond what loading checks: duplicate portals and, with `fetch`, dead start URLs."""
    problems: list[str] = []
    by_url: dict[str, str] = {}
    by_agency_family: dict[tuple[str, str], str] = {}
    for source in sources:
        for url in source.start_urls + source.column_urls:
            key = url.rstrip("/").lower()
            if key in by_url and by_url[key] != source.id:
                problems.append(
                    f"{source.id}: {url} is also a start URL of {by_url[key]} (duplicate portal?)"
                )
            by_url.setdefault(key, source.id)
        pair = (source.agency, source.family)
        if pair in by_agency_family:
            problems.append(
                f"{source.id}: same agency and family as {by_agency_family[pair]} (duplicate?)"
            )
        by_agency_family.setdefault(pair, source.id)
    if fetch is not None:
        problems += [p for p in unreachable(sources, fetch).values() if p]
    return problems


def unreachable(sources: list[Source], fetch: Fetch) -> dict[str, str]:
    """Per source id, why a start URL did not answer ("" when every one answered)."""
    answers: dict[str, str] = {}
    for source in sources:
        answers[source.id] = ""
        for url in source.start_urls:
            try:
                fetch(url)
            except (OSError, urllib.error.URLError, ValueError) as exc:
                answers[source.id] = f"{source.id}: {url} unreachable: {exc}"
                break
    return answers


def mark_sources(
    path: str | Path, answered: dict[str, str], seen_reports: set[str], today: str
) -> list[str]:
    """Rewrite the source file at `path`: `answered: today` on the sources whose start URLs all
    answered (`answered[id] == ""`), `verified: true` on those a crawl has seen reports from
    (`seen_reports`). The file's leading comment lines are kept; returns the ids changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    changed = []
    sources = []
    for source in load_sources(path):
        updated = source
        if answered.get(source.id) == "":
            updated = replace(updated, extra={**updated.extra, "answered": today})
        if source.id in seen_reports and not source.verified:
            updated = replace(updated, verified=True)
        if updated != source or updated.extra != source.extra:
            changed.append(source.id)
        sources.append(updated)
    body = yaml.safe_dump(
        {"sources": [s.to_dict() for s in sources]}, allow_unicode=True, sort_keys=False
    )
    path.write_text("".join(f"{line}\n" for line in header) + body, encoding="utf-8")
    return changed


def sources_with_reports(db_path: str | Path) -> set[str]:
    """The sources a crawl into the database at `db_path` has seen reports from."""
    db = sqlite_utils.Database(db_path)
    try:
        if "source_runs" not in db.table_names():
            return set()
        rows = db.query(
            "SELECT DISTINCT source_id FROM source_runs WHERE status = 'ok' AND reports_seen > 0"
        )
        return {row["source_id"] for row in rows}
    finally:
        db.close()
