"""Running a crawl over a list of sources, and a run record that says plainly what happened.

`run_crawl` groups the sources by site family, starts one spider per family in one Scrapy process,
waits for all of them, loads what they archived (`archive.load`), then turns the crawl stats into a
`CrawlRun` (`archive.run_record`): per source a status with its counts, and for the run the new /
changed / unchanged / withdrawn reports and the failures by reason. The run is stored in the
database (`crawl_runs`, `source_runs`) and left in the archive as a metadata record, and its exit
code is non-zero when a source that did not fail in its previous run fails now, so a cron job
notices.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.clock import CLOCK_OFFSET_SETTING, clock_now
from archive.export import PACKAGE_FILE, export_release
from archive.load import load_pending
from archive.publish import is_prepared, prepare_for_publishing
from archive.revisits import parse_ladder, refresh_revisits
from archive.run_record import build_run
from archive.runs import CrawlRun, archive_run, due_for_full_revalidation, new_run_id, store_run
from archive.schema import open_db
from archive.spool import Spool, new_spool_dir
from archive.versions import REPORTS_REWRITTEN_STAT
from archive.warc_store import WarcWriter
from archive.workers import workers_setting
from crawler import settings as default_settings
from crawler.sources import Source
from crawler.spiders.auto import AutoSpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.plain import PlainSpider
from crawler.spiders.trs import TrsSpider

SPIDERS_BY_FAMILY = {
    "auto": AutoSpider,
    "trs": TrsSpider,
    "hanweb": HanwebSpider,
    "plain": PlainSpider,
}
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
    "NIANBAO_ADAPTIVE_REVISITS",
    "NIANBAO_REVISIT_SCHEDULE",
    "NIANBAO_FULL_PASS_CAP",
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
    clock_offset = float(
        overrides.get(CLOCK_OFFSET_SETTING, default_settings.NIANBAO_CLOCK_OFFSET_SECONDS)
    )
    started = clock_now(clock_offset)
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
        # The periodic full pass is capped per portal (crawler.middlewares.revisits); `--full`
        # downloads every known report.
        full_pass = not full_revalidation and due_for_full_revalidation(db, every, started)
        run.full_revalidation = full_revalidation or full_pass
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
        NIANBAO_FULL_PASS=full_pass,
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
            loaded = load_pending(
                db_path,
                archive_dir,
                workers=workers_setting(settings),
                spool=spool,
                cache=settings.getbool("NIANBAO_EXTRACTION_CACHE"),
            )
        finally:
            spool.close()
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)
    stats = _merged_stats(crawlers)
    run.documents_loaded, run.load_seconds = loaded.documents, round(loaded.seconds, 3)
    run.documents_extracted_ahead = loaded.spooled
    for key, count in loaded.stats.items():
        stats[key] = int(stats.get(key, 0)) + count
    run.finished_at = clock_now(clock_offset).isoformat(timespec="seconds")
    build_run(run, [source.id for source in sources], stats, db_path)
    if redis_url:
        # A worker sees only its share of each source, so its statuses do not judge the source.
        run.exit_code = 0
    db = open_db(db_path)
    try:
        # Once, with every report in; a run that changed no report (a quiet night of 304s) leaves
        # the published tables be.
        published = stats.get(REPORTS_REWRITTEN_STAT) or loaded.rewrote or not is_prepared(db)
        if published:
            prepare_for_publishing(db)
        store_run(db, run)
        refresh_revisits(db, parse_ladder(settings.get("NIANBAO_REVISIT_SCHEDULE")))
    finally:
        db.close()
    with WarcWriter(archive_dir, prefix="nianbao-run") as writer:
        archive_run(writer, run)
    # Last, so a failing export (it raises ExportError) leaves the run recorded and archived.
    export_dir = settings.get("NIANBAO_EXPORT_DIR")
    if export_dir and (published or not (Path(export_dir) / PACKAGE_FILE).is_file()):
        export_release(db_path, export_dir)
    return run
