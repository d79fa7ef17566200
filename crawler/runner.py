"""Running a crawl over a list of sources in one Scrapy process, and summarising what it did.

`run_crawl` groups the sources by site family, starts one spider per family, waits for all of them,
and returns a `CrawlSummary` built from the crawl stats: per source, how many responses were archived,
how many documents extracted or failed, how many requests got no response at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.sources import Source
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.plain import PlainSpider
from crawler.spiders.trs import TrsSpider

SPIDERS_BY_FAMILY = {"trs": TrsSpider, "hanweb": HanwebSpider, "plain": PlainSpider}


@dataclass
class SourceSummary:
    source_id: str
    archived: int = 0
    extracted: int = 0
    failed: int = 0
    fetch_failed: int = 0

    @property
    def reachable(self) -> bool:
        return self.archived > 0


@dataclass
class CrawlSummary:
    sources: list[SourceSummary] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def unreachable(self) -> list[str]:
        return [s.source_id for s in self.sources if not s.reachable]

    def table(self) -> str:
        """A plain-text table for the terminal."""
        header = (
            f"{'source':<32} {'archived':>8} {'extracted':>9} {'failed':>6} {'no-response':>11}"
        )
        lines = [header, "-" * len(header)]
        for s in self.sources:
            lines.append(
                f"{s.source_id:<32} {s.archived:>8} {s.extracted:>9} {s.failed:>6} {s.fetch_failed:>11}"
            )
        return "\n".join(lines)


def crawl_settings(db_path: str | Path, archive_dir: str | Path, **overrides: Any) -> Settings:
    """The project settings with this run's paths and any overrides applied."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("NIANBAO_DB", str(db_path), priority="cmdline")
    settings.set("NIANBAO_ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    sources: list[Source], db_path: str | Path, archive_dir: str | Path, **overrides: Any
) -> CrawlSummary:
    """Crawl every source once; blocks until done. One call per process (Twisted's reactor)."""
    Path(archive_dir).mkdir(parents=True, exist_ok=True)
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(
        crawl_settings(db_path, archive_dir, **overrides), install_root_handler=True
    )
    by_family: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_family[source.family].append(source)
    crawlers = []
    for family, family_sources in by_family.items():
        crawler = process.create_crawler(SPIDERS_BY_FAMILY[family])
        crawlers.append(crawler)
        process.crawl(crawler, sources=family_sources)
    process.start()
    stats: dict[str, Any] = {}
    for crawler in crawlers:
        for key, value in (crawler.stats.get_stats() or {}).items():
            if isinstance(value, int) and key in stats and isinstance(stats[key], int):
                stats[key] += value
            else:
                stats.setdefault(key, value)
    summary = CrawlSummary(stats=stats)
    for source in sources:
        prefix = f"nianbao/source/{source.id}/"
        summary.sources.append(
            SourceSummary(
                source_id=source.id,
                archived=stats.get(prefix + "archived", 0),
                extracted=stats.get(prefix + "extracted", 0),
                failed=stats.get(prefix + "failed", 0),
                fetch_failed=stats.get(prefix + "fetch_failed", 0),
            )
        )
    return summary
