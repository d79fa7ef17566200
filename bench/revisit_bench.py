"""Polite nights: requests per night with adaptive revisits ÷ revalidating every known report.

A synthetic portal of N reports published over seven simulated years before the first night (20 per
list page, as the sample portal's TRS column; three in ten a detail page with an attachment), crawled
night after night: new reports keep appearing at the historical rate, one in ten of them corrected in
its first month, and one old report corrected every few nights.

The nights are played without HTTP, but every request counted is one the crawler would send: each
night a real spider (`crawler.spiders.trs.TrsSpider`) yields its start requests from a real
`KnownDocuments` index, the column's report links are made with the spider's own `follow`, and all
go through the real `RevisitScheduleMiddleware` with the crawl clock set to that night
(NIANBAO_CLOCK_OFFSET_SECONDS); a detail page that goes out brings its attachment link through the
middleware too, and the dupefilter's merge is a set of URLs. To that come robots.txt, the home page
and every list page, which every night reads. The answers update the index as the archive would (a
304 or the same bytes: checked; new bytes: changed and downloaded in full), with the same facts the
`revisits` table derives. The same nights with NIANBAO_ADAPTIVE_REVISITS=0 are today's crawler.

Figures: `nightly_requests_ratio` (the largest night after the first month ÷ today's that night),
its mean, and every change's delay: `revisit_changes_late` counts changes seen after the night the
schedule promised when they were made (the report's next due day then).
"""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from archive.known import KnownDocument, KnownDocuments
from archive.revisits import DEFAULT_LADDER, RevisitFacts
from crawler import settings as project_settings
from crawler.middlewares.revisits import META_FULL_PASS, RevisitScheduleMiddleware
from crawler.sources import Source
from crawler.spiders.base import META_ROLE
from crawler.spiders.trs import TrsSpider
from crawler.state import use_known_documents
from pipeline.extraction.document import DOCUMENT_ROLES, ROLE_ATTACHMENT, ROLE_DOCUMENT

PAGE_SIZE = 20
YEARS = 7
WITH_ATTACHMENT = 0.3
NEW_CORRECTED = 0.1  # of reports published during the nights, corrected in their first month
OLD_CHANGE_EVERY = 3  # nights between corrections of an old report
FIRST_MONTH = 30
HOST = "portal.bench.gov.cn"
SOURCE = Source(
    id="bench-portal",
    agency="基准市人民政府",
    family="trs",
    start_urls=(f"http://{HOST}/",),
    allowed_hosts=(HOST,),
)


@dataclass
class SimReport:
    url: str
    published: int  # night index (negative: before the first night)
    attachment: str | None = None
    changes: list[int] = field(default_factory=list)  # nights before whose crawl it changes


@dataclass
class Night:
    requests: int
    documents: int
    list_pages: int


def portal(reports: int, nights: int, seed: int = 19) -> list[SimReport]:
    """The synthetic portal's reports: aged over seven years, then published at the same rate."""
    rng = random.Random(seed)
    per_night = reports / (YEARS * 365)
    made: list[SimReport] = []

    def report(published: int) -> SimReport:
        number = len(made)
        url = f"http://{HOST}/zwgk/ndbg/{number // 1000}/t{number:06d}.html"
        attachment = f"{url[:-5]}.pdf" if rng.random() < WITH_ATTACHMENT else None
        return SimReport(url, published, attachment)

    for _ in range(reports):
        made.append(report(-rng.randrange(1, YEARS * 365)))
    published = 0.0
    for night in range(nights):
        published += per_night
        while published >= 1:
            published -= 1
            fresh = report(night)
            if rng.random() < NEW_CORRECTED:
                fresh.changes.append(night + rng.randrange(1, FIRST_MONTH))
            made.append(fresh)
    old = [r for r in made if r.published < 0]
    for night in range(1, nights, OLD_CHANGE_EVERY):
        rng.choice(old).changes.append(night)
    return made


class Archive:
    """What the archive knows of each document URL: the facts `revisits` derives, and versions."""

    def __init__(self) -> None:
        self.documents: dict[str, KnownDocument] = {}
        self.versions: dict[str, int] = {}

    def known(self) -> KnownDocuments:
        return KnownDocuments(list(self.documents.values()))

    def answer(self, url: str, role: str, version: int, when: str, in_full: bool) -> bool:
        """Store the answer to a request for `url`; True when it was a new version."""
        previous = self.documents.get(url)
        if previous is None:
            self.documents[url] = KnownDocument(
                url, SOURCE.id, role, "", None, None, None, None, None, False, when, when, when
            )
            self.versions[url] = version
            return False
        changed = self.versions[url] != version
        self.versions[url] = version
        self.documents[url] = replace(
            previous,
            last_checked=when,
            last_changed=when if changed else previous.last_changed,
            last_full=when if changed or in_full else previous.last_full,
        )
        return changed


def night_settings(adaptive: bool, offset: float, full_pass: bool) -> dict[str, Any]:
    # The project's own revisit settings (schedule, cap); the night's clock and switches.
    values = {
        name: getattr(project_settings, name)
        for name in dir(project_settings)
        if name.startswith("NIANBAO_")
    }
    values.update(
        NIANBAO_DB="",
        NIANBAO_ADAPTIVE_REVISITS=adaptive,
        NIANBAO_CLOCK_OFFSET_SECONDS=offset,
        NIANBAO_FULL_PASS=full_pass,
    )
    return values


async def _collect(source: Any) -> list[Any]:
    return [item async for item in source]


@dataclass
class Played:
    nights: list[Night]
    seen: list[tuple[int, int, int]]  # per change seen: night made, night promised, night seen
    unseen: list[tuple[int, int]]  # changes never seen: night made, night promised


def play(reports: list[SimReport], nights: int, adaptive: bool, night0: datetime) -> Played:
    """Every night's requests, and when each change to a known report was seen."""
    archive = Archive()
    changes: dict[str, list[int]] = {}
    for r in reports:
        for night in r.changes:
            changes.setdefault(r.url, []).append(night)
    pending: dict[str, list[tuple[int, int]]] = {}  # url -> [(night made, night promised)]
    seen: list[tuple[int, int, int]] = []
    results: list[Night] = []
    by_url = {r.url: r for r in reports}
    by_attachment = {r.attachment: r for r in reports if r.attachment}
    every_full = int(project_settings.NIANBAO_FULL_REVALIDATION_DAYS)
    for night in range(nights):
        now = night0 + timedelta(days=night)
        for r in reports:
            if night in changes.get(r.url, ()) and r.url in archive.documents:
                known = archive.documents[r.url]
                facts = RevisitFacts(r.url, _time(known.last_changed), _time(known.last_checked))
                due = facts.next_due(DEFAULT_LADDER)
                promised = night if due is None else max(night, (due - night0.date()).days)
                pending.setdefault(r.url, []).append((night, promised))
        offset = (now - datetime.now(UTC)).total_seconds()
        full_pass = bool(every_full) and night > 0 and night % every_full == 0
        crawler = get_crawler(TrsSpider, settings_dict=night_settings(adaptive, offset, full_pass))
        spider = crawler._create_spider(sources=[SOURCE])
        crawler.spider = spider
        use_known_documents(crawler, archive.known())
        try:
            middleware: RevisitScheduleMiddleware | None = RevisitScheduleMiddleware(crawler)
        except NotConfigured:
            middleware = None

        start = spider.start()
        if middleware is not None:
            start = middleware.process_start(start)
        started = [r for r in asyncio.run(_collect(start)) if isinstance(r, Request)]
        live = [r for r in reports if r.published <= night]
        listed = [spider.follow(r.url, SOURCE, ROLE_DOCUMENT, spider.parse_document) for r in live]
        # The start's home page is counted with robots.txt and the list pages below.
        going = {
            r.url: r
            for r in [*started, *passing(middleware, listed)]
            if r.meta.get(META_ROLE) in DOCUMENT_ROLES
        }
        attachments = [
            spider.follow(attachment, SOURCE, ROLE_ATTACHMENT, spider.parse_attachment)
            for url in list(going)
            if url in by_url and (attachment := by_url[url].attachment)
        ]
        going.update({r.url: r for r in passing(middleware, attachments)})
        when = now.isoformat(timespec="seconds")
        for url, request in going.items():
            report = by_url.get(url) or by_attachment[url]
            version = sum(1 for c in report.changes if c <= night)
            if url == report.url:
                archive.answer(
                    url,
                    ROLE_DOCUMENT,
                    version,
                    when,
                    bool(request.meta.get(META_FULL_PASS)),
                )
                for made, promised in pending.pop(url, []):
                    seen.append((made, promised, night))
            else:
                archive.answer(url, ROLE_ATTACHMENT, 0, when, True)
        list_pages = math.ceil(len(live) / PAGE_SIZE)
        results.append(Night(2 + list_pages + len(going), len(going), list_pages))
    unseen = [change for changes_left in pending.values() for change in changes_left]
    return Played(results, seen, unseen)


def passing(middleware: RevisitScheduleMiddleware | None, requests: list[Any]) -> list[Request]:
    """The requests the spider middleware lets out of a callback's output."""
    if middleware is not None:
        requests = list(middleware.process_spider_output(None, requests))  # type: ignore[arg-type]
    return [r for r in requests if isinstance(r, Request)]


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def bench_revisits(reports: int, nights: int) -> dict[str, Any]:
    """The stage's figures for a portal of `reports` reports over `nights` nights."""
    sim = portal(reports, nights)
    night0 = datetime(2027, 1, 1, 2, 30, tzinfo=UTC)
    played = play(sim, nights, True, night0)
    adaptive, seen = played.nights, played.seen
    today = play(sim, nights, False, night0).nights
    after = range(FIRST_MONTH, nights)
    ratios = [adaptive[n].requests / today[n].requests for n in after]
    delays = [found - made for made, _, found in seen]
    return {
        "revisit_reports": reports,
        "revisit_nights": nights,
        "nightly_requests_ratio": max(ratios),
        "nightly_requests_ratio_mean": sum(ratios) / len(ratios),
        "revisit_requests_per_night_today": sum(today[n].requests for n in after) / len(after),
        "revisit_requests_per_night": sum(adaptive[n].requests for n in after) / len(after),
        "revisit_requests_max_night": max(adaptive[n].requests for n in after),
        "revisit_list_pages_per_night": adaptive[-1].list_pages,
        "revisit_changes": len(seen),
        # a change whose promised night came within the nights played and was not seen by then
        "revisit_changes_unseen": sum(1 for _, promised in played.unseen if promised < nights),
        "revisit_changes_late": sum(1 for _, promised, found in seen if found > promised),
        "revisit_change_delay_max_days": max(delays, default=0),
        "revisit_change_delay_mean_days": sum(delays) / len(delays) if delays else 0.0,
    }
