"""Scrapy settings for nianbao crawls; the one place that reads the environment.

Environment variables (all optional):
- NIANBAO_CONTACT_URL: the contact URL named in the User-Agent (default: the project page).
- NIANBAO_ARCHIVE_DIR: where WARC files are written (default: data/archive).
- NIANBAO_DB: the SQLite database the pipelines write (default: data/nianbao.db).
- NIANBAO_CONCURRENCY_PER_HOST: requests in flight per host:port (default 2, the polite maximum).
- NIANBAO_REDIS_URL: when set, every crawl is a worker of a distributed crawl on this Redis
  (`crawler.distributed`), like `nianbao crawl --redis URL`.
- NIANBAO_REDIS_HEARTBEAT_TTL: seconds after which a silent worker counts as dead and its in-flight
  requests are requeued (default 30).

`nianbao crawl` overrides the paths from its options; everything else here is the polite default a
nightly run uses.
"""

from __future__ import annotations

import os


def _env_on(name: str) -> bool:
    """A switch that is on unless the environment turns it off (0, false, no, off)."""
    return os.environ.get(name, "1").lower() not in ("0", "false", "no", "off")


BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

NIANBAO_CONTACT_URL = os.environ.get(
    "NIANBAO_CONTACT_URL", "https://github.com/nianbao-archive/nianbao"
)
NIANBAO_ARCHIVE_DIR = os.environ.get("NIANBAO_ARCHIVE_DIR", "data/archive")
NIANBAO_DB = os.environ.get("NIANBAO_DB", "data/nianbao.db")
NIANBAO_WARC_MAX_BYTES = 256 * 2**20
# Bodies above this are cut off by Scrapy and recorded as failed, never parsed.
DOWNLOAD_MAXSIZE = 50 * 2**20
DOWNLOAD_WARNSIZE = 20 * 2**20

# ASCII only: HTTP header values are Latin-1, and some servers reject anything else.
USER_AGENT = (
    f"nianbao/0.1 (+{NIANBAO_CONTACT_URL}; open archive of government disclosure annual reports)"
)

# Politeness: robots.txt, at most two requests in flight per host:port (the spiders set the download
# slot to host:port), AutoThrottle adapting to the server's latency.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = min(int(os.environ.get("NIANBAO_CONCURRENCY_PER_HOST", "2")), 2)
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60

# Scrapy starts CONCURRENT_ITEMS worker tasks for the output of every response (default 100). Our
# callbacks yield one document and a few links each, so 100 tasks per response were idle overhead:
# ≈ 15 % of a revalidation run's CPU. Extraction concurrency comes from requests in flight.
CONCURRENT_ITEMS = 4

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Responses we archive and record even when they are errors: the spiders see them too, so a 404
# report page can be recorded as failed rather than vanishing.
HTTPERROR_ALLOW_ALL = False
HTTPERROR_ALLOWED_CODES = [404, 410]

# Incremental crawling: known reports are revalidated with conditional requests; a full
# revalidation (every known report downloaded and compared by hash) guards against servers that lie
# about freshness — `nianbao crawl --full` or NIANBAO_FULL_REVALIDATION=1.
NIANBAO_FULL_REVALIDATION = os.environ.get("NIANBAO_FULL_REVALIDATION", "") in ("1", "true", "yes")
# Adaptive revisits (crawler.middlewares.revisits, archive.revisits): list pages every night, a
# known report only when due. The schedule is a ladder "UNCHANGED_DAYS:EVERY_DAYS,…": revisited
# every run while unchanged under 7 days, weekly from 7, monthly from 21. Off (0): every known
# report every night.
NIANBAO_ADAPTIVE_REVISITS = _env_on("NIANBAO_ADAPTIVE_REVISITS")
NIANBAO_REVISIT_SCHEDULE = os.environ.get("NIANBAO_REVISIT_SCHEDULE", "0:1,7:7,21:30")
# Days between full passes (0 turns them off): on that night each portal's reports downloaded in
# full longest ago, at most NIANBAO_FULL_PASS_CAP of them (0: all), go without validators.
NIANBAO_FULL_REVALIDATION_DAYS = float(os.environ.get("NIANBAO_FULL_REVALIDATION_DAYS", "7"))
NIANBAO_FULL_PASS_CAP = int(os.environ.get("NIANBAO_FULL_PASS_CAP", "50"))
NIANBAO_FULL_PASS = False  # set by the runner on a full-pass night
# For tests and benches only: the crawl's clock runs this many seconds ahead (archive.clock).
NIANBAO_CLOCK_OFFSET_SECONDS = float(os.environ.get("NIANBAO_CLOCK_OFFSET_SECONDS", "0"))
NIANBAO_RUN_ID = ""  # set by the runner for each run
NIANBAO_RETRY_BASE_DELAY = float(os.environ.get("NIANBAO_RETRY_BASE_DELAY", "1.0"))
NIANBAO_RETRY_MAX_DELAY = float(os.environ.get("NIANBAO_RETRY_MAX_DELAY", "60"))
# Security limits (crawler/middlewares/host_guard.py): redirect chains, list pages per source (calendar traps).
NIANBAO_MAX_REDIRECTS = int(os.environ.get("NIANBAO_MAX_REDIRECTS", "10"))
NIANBAO_MAX_LIST_PAGES = int(os.environ.get("NIANBAO_MAX_LIST_PAGES", "200"))

# process_request runs in increasing order, process_response in decreasing order.
DOWNLOADER_MIDDLEWARES = {
    # Far from the network: sees only requests that failed for good, after the retries.
    "crawler.middlewares.failures.FailureRecorderMiddleware": 50,
    # robots.txt with its Crawl-delay, in place of Scrapy's own (which ignores Crawl-delay).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.CrawlDelayRobotsTxtMiddleware": 100,
    # Retries with exponential backoff and Retry-After, in place of Scrapy's immediate retries.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.retry.RetryDelayMiddleware": 560,
    # Allowed hosts, http(s) only, no private addresses; vets redirect targets before they are
    # followed (redirects: 600) and compressed bodies before they are inflated (compression: 590).
    "crawler.middlewares.host_guard.HostGuardMiddleware": 610,
    # After decompression: anti-bot challenge pages are dropped before any spider sees them.
    "crawler.middlewares.challenges.ChallengeDetectionMiddleware": 580,
    # Conditional requests for known reports; a 304 hands the spider the archived copy.
    "crawler.middlewares.revalidation.RevalidationMiddleware": 920,
    # Closest to the network: archive every response exactly as received, before anything parses it.
    "crawler.middlewares.archive.WarcArchiveMiddleware": 950,
}
# A document that failed in an earlier run and fails again gets this many more attempts at the end
# of the run (crawler.extensions.recovery); 0 turns the recovery pass off.
NIANBAO_RECOVERY_ATTEMPTS = int(os.environ.get("NIANBAO_RECOVERY_ATTEMPTS", "2"))
# Known reports go out only on the nights they are due (crawler.middlewares.revisits).
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.revisits.RevisitScheduleMiddleware": 900,
    # Nearest the spider, so it sees a callback's exception before any other middleware.
    "crawler.middlewares.spider_errors.SpiderErrorRecorderMiddleware": 950,
}
EXTENSIONS = {
    "crawler.extensions.recovery.RecoveryPass": 500,
    "crawler.extensions.progress.ProgressLine": 510,
}
# The one-line progress display on standard error (crawler.extensions.progress); `nianbao crawl`
# turns it on when standard error is a terminal.
NIANBAO_PROGRESS = False
NIANBAO_PROGRESS_INTERVAL = 1.0
ITEM_PIPELINES = {"pipeline.pipelines.StorePipeline": 800}

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("NIANBAO_LOG_LEVEL", "INFO")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# A crawl fetches and archives, then extracts every new document on all cores (archive.load), so
# extraction never holds up the fetching. Extraction worker processes of the load
# (archive.workers); empty: one per CPU, 0: none (the load extracts in its own process).
NIANBAO_EXTRACT_WORKERS = os.environ.get("NIANBAO_EXTRACT_WORKERS", "")
# Workers that extract documents during the fetch, at low priority, on the cores the reactor
# leaves idle (pipeline.ahead); empty: one less than the CPU count, 0: none. `nianbao
# crawl` sets NIANBAO_EXTRACT_AHEAD_DIR, the spool they write, for each run.
NIANBAO_EXTRACT_AHEAD_WORKERS = os.environ.get("NIANBAO_EXTRACT_AHEAD_WORKERS", "")
NIANBAO_EXTRACT_AHEAD_DIR = ""
# Reports kept by (content SHA-256, URL, Content-Type, link text, agency, extractor version) in
# <archive>/extraction-cache.sqlite (archive.extraction_cache), so the load and `nianbao rebuild`
# never extract the same bytes twice with the same extractor; 0 turns it off.
NIANBAO_EXTRACTION_CACHE = _env_on("NIANBAO_EXTRACTION_CACHE")
# Where each crawl's publishing step writes the downloads (`nianbao export`); empty: no export.
NIANBAO_EXPORT_DIR = os.environ.get("NIANBAO_EXPORT_DIR", "")

# Distributed crawls (crawler.distributed): the Redis URL, and how long a silent worker lives.
NIANBAO_REDIS_URL = os.environ.get("NIANBAO_REDIS_URL", "")
NIANBAO_REDIS_HEARTBEAT_TTL = float(os.environ.get("NIANBAO_REDIS_HEARTBEAT_TTL", "30"))
