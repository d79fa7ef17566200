"""Running a crawl over a list of sources, and a run record that says plainly what happened.

`run_crawl` groups the sources by site family, starts one spider per family in one Scrapy process,
waits for all of them, then turns the crawl stats into a `CrawlRun`: per source a status (`ok`,
`empty`, `blocked`, `broken`, `robots`) with its counts, and for the run the new / changed /
unchanged / withdrawn reports and the failures by reason. The run is stored in the database
(`crawl_runs`, `source_runs`) and left in the archive as a metadata record, and its exit code is
non-zero when a source that did not fail in its previous run fails now, so a cron job notices.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.ingest import REPORTS_REWRITTEN_STAT
from archive.load import load_pending
from archive.publish import is_prepared, prepare_for_publishing
from archive.runs import (
    FAILING_STATUSES,
    STATUS_BLOCKED,
    STATUS_BROKEN,
    STATUS_EMPTY,
    STATUS_OK,
    STATUS_ROBOTS,
    CrawlRun,
    SourceRun,
    archive_run,
    due_for_full_revalidation,
    new_run_id,
    previous_statuses,
    store_run,
)
from archive.schema import open_db
from archive.spool import Spool, new_spool_dir
from archive.warc_store import WarcWriter
from crawler import settings as default_settings
from crawler.sources import Source
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.plain import PlainSpider
from crawler.spiders.trs import TrsSpider
from pipeline.parallel import pool_workers

SPIDERS_BY_FAMILY = {"trs": TrsSpider, "hanweb": HanwebSpider, "plain": PlainSpider}
# Settings whose values make two runs comparable or not; their digest is stored with each run.
DIGESTED_SETTINGS = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "RETRY_TIMES",
    "NIANBAO_FULL_REVALIDATION",
)


def crawl_settings(db_path: str | Path, archive_dir: str | Path, **overrides: Any) -> Settings:
    """The project settings with this run's paths and any overrides applied."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("NIANBAO_DB", str(db_path), priority="cmdline")
    settings.set("NIANBAO_ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def settings_digest(settings: Settings) -> str:
    values = {name: settings.get(name) for name in DIGESTED_SETTINGS}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _merged_stats(crawlers: list[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for crawler in crawlers:
        for key, value in (crawler.stats.get_stats() or {}).items():
            if isinstance(value, int) and isinstance(merged.get(key), int):
                merged[key] += value
            elif isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
            else:
                merged.setdefault(key, value)
    return merged


def source_status(counts: dict[str, int], reports_before: int) -> tuple[str, str]:
    """A source's status for this run, and a sentence saying why."""
    seen = counts["reports_seen"]
    if seen and counts["listed"]:
        failures = counts["failed"] + counts["fetch_failed"]
        return STATUS_OK, f"{seen} reports" + (f", {failures} failures" if failures else "")
    if counts["blocked"]:
        return STATUS_BLOCKED, f"{counts['blocked']} anti-bot challenge responses"
    if counts["robots"]:
        return STATUS_ROBOTS, "robots.txt disallows the way to the reports"
    if (
        counts["fetch_failed"]
        or counts["http_errors"]
        or counts["failed"]
        or not counts["archived"]
    ):
        problems = counts["fetch_failed"] + counts["http_errors"] + counts["failed"]
        if not counts["archived"]:
            return STATUS_BROKEN, "nothing could be fetched"
        return STATUS_BROKEN, f"{problems} errors and no report"
    if reports_before:
        return STATUS_EMPTY, f"yielded {reports_before} reports before, its lists lead to none now"
    return STATUS_EMPTY, "no report found"


def _source_counts(stats: dict[str, Any], source_id: str) -> dict[str, int]:
    prefix = f"nianbao/source/{source_id}/"
    names = ("archived", "listed", "failed", "fetch_failed", "blocked", "robots", "http_errors")
    counts = {name: int(stats.get(prefix + name, 0)) for name in names}
    for change in ("new", "changed", "unchanged", "withdrawn"):
        counts[change] = int(stats.get(f"{prefix}change/{change}", 0))
    counts["reports_seen"] = counts["new"] + counts["changed"] + counts["unchanged"]
    return counts


def _reports_before(db_path: Path, run_started: str) -> dict[str, int]:
    db = open_db(db_path)
    try:
        rows = db.query(
            "SELECT source_id, count(*) AS n FROM reports WHERE first_seen < ? GROUP BY source_id",
            [run_started],
        )
        return {row["source_id"]: row["n"] for row in rows if row["source_id"]}
    finally:
        db.close()


def build_run(
    run: CrawlRun, sources: list[Source], stats: dict[str, Any], db_path: Path
) -> CrawlRun:
    """Fill `run` from the crawl stats and the database, including statuses and the exit code."""
    before = _reports_before(db_path, run.started_at)
    for source in sources:
        counts = _source_counts(stats, source.id)
        status, detail = source_status(counts, before.get(source.id, 0))
        run.sources.append(
            SourceRun(
                source_id=source.id,
                status=status,
                detail=detail,
                pages=counts["archived"],
                reports_seen=counts["reports_seen"],
                reports_new=counts["new"],
                reports_changed=counts["changed"],
                failures=counts["failed"] + counts["fetch_failed"],
            )
        )
    run.pages = int(stats.get("nianbao/archived", 0))
    run.not_modified = int(stats.get("nianbao/not_modified", 0))
    run.full_downloads = int(stats.get("nianbao/full_downloads", 0))
    run.reports_new = int(stats.get("nianbao/change/new", 0))
    run.reports_changed = int(stats.get("nianbao/change/changed", 0))
    run.reports_unchanged = int(stats.get("nianbao/change/unchanged", 0))
    run.reports_withdrawn = int(stats.get("nianbao/change/withdrawn", 0))
    run.failures_by_reason = {
        key.removeprefix("nianbao/failure/"): int(value)
        for key, value in stats.items()
        if key.startswith("nianbao/failure/")
    }
    run.failures = sum(run.failures_by_reason.values())
    run.failed_requests = list(stats.get("nianbao/failed_requests", []))
    db = open_db(db_path)
    try:
        previous = previous_statuses(db, run.id)
    finally:
        db.close()
    newly_failing = [
        s.source_id
        for s in run.sources
        if s.status in FAILING_STATUSES and previous.get(s.source_id) not in FAILING_STATUSES
    ]
    run.exit_code = 1 if newly_failing else 0
    return run


def summary_table(run: CrawlRun) -> str:
    """The run as a plain-text table for the terminal."""
    header = (
        f"{'source':<28} {'status':<8} {'pages':>6} {'seen':>5} {'new':>5} {'chg':>4} "
        f"{'fail':>5}  detail"
    )
    lines = [f"crawl run {run.id}", header, "-" * len(header)]
    for s in run.sources:
        lines.append(
            f"{s.source_id:<28} {s.status:<8} {s.pages:>6} {s.reports_seen:>5} {s.reports_new:>5} "
            f"{s.reports_changed:>4} {s.failures:>5}  {s.detail}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"pages {run.pages} (full downloads {run.full_downloads}, not modified {run.not_modified}); "
        f"reports new {run.reports_new}, changed {run.reports_changed}, "
        f"unchanged {run.reports_unchanged}, withdrawn {run.reports_withdrawn}; "
        f"failures {run.failures}"
        + (f" {json.dumps(run.failures_by_reason, ensure_ascii=False)}" if run.failures else "")
    )
    lines.append(
        f"fetched and archived in {run.fetch_seconds:.1f} s; "
        f"{run.documents_loaded} documents extracted and stored in {run.load_seconds:.1f} s"
        + (
            f" ({run.documents_extracted_ahead} of them extracted during the fetch)"
            if run.documents_extracted_ahead
            else ""
        )
    )
    return "\n".join(lines)


def run_crawl(
    sources: list[Source],
    db_path: str | Path,
    archive_dir: str | Path,
    *,
    sources_file: str = "",
    full_revalidation: bool = False,
    redis_url: str | None = None,
    crawl_key: str | None = None,
    **overrides: Any,
) -> CrawlRun:
    """Crawl every source once; blocks until done. One call per process (Twisted's reactor).

    With `redis_url` this process is one worker of a distributed crawl (`crawler.distributed`):
    the queue and dupefilter live in Redis under `crawl_key` (default: from the source ids).
    """
    db_path, archive_dir = Path(db_path), Path(archive_dir)
    redis_url = redis_url or default_settings.NIANBAO_REDIS_URL or None
    archive_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    run = CrawlRun(
        id=new_run_id(started),
        started_at=started.isoformat(timespec="seconds"),
        sources_file=sources_file,
        full_revalidation=full_revalidation,
    )
    db = open_db(db_path)  # schema first, so the crawl's readers (known reports) find it
    try:
        every = float(
            overrides.get(
                "NIANBAO_FULL_REVALIDATION_DAYS", default_settings.NIANBAO_FULL_REVALIDATION_DAYS
            )
        )
        if not full_revalidation and due_for_full_revalidation(db, every, started):
            run.full_revalidation = full_revalidation = True
    finally:
        db.close()
    if redis_url:
        from crawler.distributed import default_crawl_key, distributed_settings

        overrides = {
            **distributed_settings(redis_url, crawl_key or default_crawl_key(sources)),
            **overrides,
        }
    settings = crawl_settings(
        db_path,
        archive_dir,
        NIANBAO_EXTRACT_AHEAD_DIR=str(new_spool_dir(db_path)),
        NIANBAO_RUN_ID=run.id,
        NIANBAO_FULL_REVALIDATION=full_revalidation,
        **overrides,
    )
    run.settings_digest = settings_digest(settings)
    process = CrawlerProcess(settings)
    by_family: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_family[source.family].append(source)
    crawlers = []
    for family, family_sources in by_family.items():
        crawler = process.create_crawler(SPIDERS_BY_FAMILY[family])
        crawlers.append(crawler)
        process.crawl(crawler, sources=family_sources)
    fetch_started = time.perf_counter()
    spool_dir = Path(settings["NIANBAO_EXTRACT_AHEAD_DIR"])
    try:
        process.start()
        run.fetch_seconds = round(time.perf_counter() - fetch_started, 3)
        # Everything this run archived (and whatever an earlier, interrupted run left) is
        # extracted now, on every core, in the order it was fetched; what the idle cores
        # extracted during the fetch is taken from the spool.
        spool = Spool.read(spool_dir)
        try:
            loaded = load_pending(db_path, archive_dir, workers=pool_workers(settings), spool=spool)
        finally:
            spool.close()
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)
    stats = _merged_stats(crawlers)
    run.documents_loaded, run.load_seconds = loaded.documents, round(loaded.seconds, 3)
    run.documents_extracted_ahead = loaded.spooled
    for key, count in loaded.stats.items():
        stats[key] = int(stats.get(key, 0)) + count
    run.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    build_run(run, sources, stats, db_path)
    if redis_url:
        # A worker sees only its share of each source, so its statuses do not judge the source.
        run.exit_code = 0
    db = open_db(db_path)
    try:
        # Once, with every report in; a run that changed no report (a quiet night of 304s) leaves
        # the published tables be.
        if stats.get(REPORTS_REWRITTEN_STAT) or loaded.rewrote or not is_prepared(db):
            prepare_for_publishing(db)
        store_run(db, run)
    finally:
        db.close()
    with WarcWriter(archive_dir, prefix="nianbao-run") as writer:
        archive_run(writer, run)
    return run
