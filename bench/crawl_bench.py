"""Crawl, incremental, memory and rebuild figures: `nianbao crawl` on the sample portal over loopback.

One sample portal with N synthetic reports; `nianbao crawl` runs twice (first and incremental),
a bare Scrapy spider (`bench/bare_spider.py`) fetches the URLs the first crawl fetched, and
`nianbao rebuild` rebuilds the database from the archive, cold (`--no-cache`) and with the
extraction cache warm. Politeness is off for both crawlers
(no AutoThrottle, no delay, 16 requests per host); nianbao still reads robots.txt.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONCURRENCY = 16  # per spider; nianbao runs one spider per site family (three)
IMPOLITE = [
    "-s", "AUTOTHROTTLE_ENABLED=0",
    "-s", "DOWNLOAD_DELAY=0",
    "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
    "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
]  # fmt: skip


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: float
    stdout: str
    peak_tree_pss_mb: float = float("nan")
    # CPU seconds the machine spent on the command (all its processes, whatever their parent).
    cpu_s: float = float("nan")
    # CPU seconds of the command's own process tree (the process, from its rusage, and each
    # descendant as last sampled): unlike `cpu_s`, not moved by other work on the machine.
    tree_cpu_s: float = float("nan")


def machine_busy_cpu_s() -> float:
    """CPU seconds every core of this machine has spent busy since boot (user, nice, system,
    irq, softirq: /proc/stat), or NaN where there is no /proc."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:8]]
    except (OSError, ValueError):
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process: the sample portal's server threads and the memory sampler."""
    times = os.times()
    return times.user + times.system


def _cpu_s(pid: int) -> float | None:
    """User and system CPU seconds process `pid` has spent so far (/proc/<pid>/stat)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _tree_pids(root: int) -> list[int]:
    """`root` and all its descendants (the crawl's extraction workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def _pss_kb(pid: int) -> int:
    """Proportional set size: resident pages, each shared page divided among its sharers, so the
    sum over a process tree is the memory the tree really holds (summed RSS counts shared pages
    once per process)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process tree every `interval` seconds; keeps the peak, and the
    CPU seconds each descendant of the root had spent when last seen (`descendants_cpu_s`)."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root, self.interval, self.peak_kb = root, interval, 0
        self.cpu_seen: dict[int, float] = {}
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.wait(self.interval):
            pids = _tree_pids(self.root)
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in pids))
            for pid in pids:
                if pid != self.root and (spent := _cpu_s(pid)) is not None:
                    self.cpu_seen[pid] = spent

    def descendants_cpu_s(self) -> float:
        return sum(self.cpu_seen.values())


def run_timed(command: list[str]) -> Timed:
    """Run `command`; its wall time and the peak RSS of that process (from wait4's rusage)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Counted over the whole machine: extraction workers are children of multiprocessing's fork
    # server, which nobody waits for, so the command's own rusage would miss them.
    busy_before, own_before = machine_busy_cpu_s(), own_cpu_s()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    memory = TreeMemory(process.pid)
    if Path("/proc/self/stat").exists():
        memory.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    memory.finished.set()
    if memory.is_alive():
        memory.join(timeout=5)  # its last sample taken
    cpu_s = (machine_busy_cpu_s() - busy_before) - (own_cpu_s() - own_before)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    root_cpu_s = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    # Descendants are children of multiprocessing's fork server, which the command never waits
    # for: they are not in its rusage, so sampled (up to one interval short at their end).
    tree_cpu_s = root_cpu_s + memory.descendants_cpu_s()
    # communicate() reaped the child; its rusage is in RUSAGE_CHILDREN only as a running maximum,
    # so read the peak from the kernel's accounting of this one child instead (below).
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{stderr[-4000:]}")
    peak_pss_mb = memory.peak_kb / 1024 or float("nan")
    return Timed(seconds, _peak_rss_mb(stderr), stdout, peak_pss_mb, cpu_s, tree_cpu_s)


def _peak_rss_mb(stderr: str) -> float:
    marker = "NIANBAO_BENCH_PEAK_RSS_KB="
    for line in reversed(stderr.splitlines()):
        if line.startswith(marker):
            return int(line.removeprefix(marker)) / 1024
    return float("nan")


def _measured(*args: str) -> list[str]:
    """A command that prints its own peak RSS on stderr when it exits (see bench/peak_rss.py)."""
    return [PYTHON, str(ROOT / "bench" / "peak_rss.py"), *args]


def bench_crawl(work: Path, reports: int) -> dict[str, float]:
    from portal.server import SamplePortal

    work.mkdir(parents=True, exist_ok=True)
    sources, db, archive = work / "sources.yaml", work / "nianbao.db", work / "archive"
    for stale in (db, db.with_suffix(".inspect.json")):
        stale.unlink(missing_ok=True)
    if archive.exists():
        for path in archive.rglob("*.warc.gz"):
            path.unlink()
    crawl = [
        "-m", "nianbao.cli", "crawl", "--sources", str(sources), "--db", str(db),
        "--archive", str(archive), "--log-level", "WARNING", *IMPOLITE,
        # A synthetic column of 10,000 reports runs to hundreds of list pages, past the cap that
        # guards real portals against calendar traps: at 200 the crawl fetched a third less.
        "-s", f"NIANBAO_MAX_LIST_PAGES={max(200, reports)}",
    ]  # fmt: skip
    with SamplePortal(synthetic=reports, seed=3, include_seeds=False) as portal:
        portal.write_sources(sources)
        # Bodies render on first request; rendered now, the first crawl and the bare spider (which
        # comes after it) are served alike.
        print(f"  crawl: rendered the portal's {portal.prerender()} pages and files", flush=True)
        print(f"  crawl: first run over {reports} reports …", flush=True)
        first = run_timed(_measured(*crawl))
        print(f"  crawl: second (incremental) run … ({first.seconds:.1f} s first)", flush=True)
        second = run_timed(_measured(*crawl))
        crawled = sqlite_utils.Database(db)
        runs = list(
            crawled.query(
                "SELECT pages, full_downloads, fetch_seconds, load_seconds, documents_loaded,"
                " documents_extracted_ahead FROM crawl_runs ORDER BY id"
            )
        )
        first_pages = [
            (row["url"], row["outcome"], row["warc_file"])
            for row in crawled.query(
                "SELECT url, outcome, warc_file FROM pages"
                " WHERE run_id = (SELECT min(id) FROM crawl_runs)"
            )
        ]
        crawled.close()
        urls = sorted(
            {u for u, _, warc in first_pages if warc is not None and not u.endswith("/robots.txt")}
        )
        published = set(portal.truth)
        missed = len(published - {u for u, outcome, _ in first_pages if outcome != "failed"})
        failures = sum(outcome == "failed" for _, outcome, _ in first_pages)
        if missed or failures:
            print(
                f"  crawl: WARNING: the first run missed {missed} of {len(published)} published"
                f" documents and recorded {failures} failures: the figures are of a partial crawl",
                flush=True,
            )
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        print(f"  crawl: bare Scrapy over the same {len(urls)} URLs …", flush=True)
        bare = run_timed(
            [PYTHON, str(ROOT / "bench" / "bare_spider.py"), str(url_file), str(CONCURRENCY * 3)]
        )
    bare_pages, bare_engine_s = bare.stdout.strip().splitlines()[-1].split()
    rebuilt = work / "rebuilt.db"

    def rebuild_timed(*flags: str) -> Timed:
        rebuilt.unlink(missing_ok=True)
        command = ["rebuild", "--archive", str(archive), "--db", str(rebuilt)]
        return run_timed(
            [PYTHON, "-m", "nianbao.cli", *command, "--sources", str(sources), "--no-progress",
             *flags]
        )  # fmt: skip

    # Cold: every document extracted (the crawl's load filled the extraction cache, which
    # --no-cache leaves alone). Warm: the same archive again, every report from the cache.
    print("  rebuild, cold (--no-cache) …", flush=True)
    rebuild = rebuild_timed("--no-cache")
    print("  rebuild, warm (extraction cache) …", flush=True)
    rebuild_timed()  # makes sure every report is in the cache, whatever the crawl left
    cached = rebuild_timed()
    cached_documents = int(cached.stdout.strip().splitlines()[-1].rsplit("cached ", 1)[1])
    rebuilt_reports = sqlite_utils.Database(rebuilt).table("reports").count
    nianbao_rate = runs[0]["pages"] / first.seconds
    bare_rate = int(bare_pages) / bare.seconds
    # The fetch stage alone (spiders, WARC, page rows) against the bare spider's engine time:
    # both timed from the engine's start to its end, inside the process.
    fetch_rate = runs[0]["pages"] / runs[0]["fetch_seconds"]
    bare_engine_rate = int(bare_pages) / float(bare_engine_s)
    # However well the crawl spread its work over the cores, it cannot finish before the CPU
    # seconds it spends, divided by the cores, have passed: its best ratio on this machine.
    cores = os.cpu_count() or 1
    best_rate = runs[0]["pages"] / (first.cpu_s / cores)
    return {
        "crawl_reports": reports,
        "crawl_pages": runs[0]["pages"],
        "crawl_s": first.seconds,
        "crawl_documents_published": len(published),
        "crawl_documents_missed": missed,
        "crawl_failures": failures,
        "crawl_pages_per_s": nianbao_rate,
        "bare_scrapy_pages_per_s": bare_rate,
        "crawl_vs_bare_scrapy": nianbao_rate / bare_rate,
        "crawl_fetch_s": runs[0]["fetch_seconds"],
        "crawl_load_s": runs[0]["load_seconds"],
        "crawl_documents_loaded": runs[0]["documents_loaded"],
        "crawl_documents_extracted_ahead": runs[0]["documents_extracted_ahead"],
        "crawl_fetch_pages_per_s": fetch_rate,
        "bare_scrapy_engine_pages_per_s": bare_engine_rate,
        "crawl_fetch_vs_bare_scrapy": fetch_rate / bare_engine_rate,
        "crawl_cpu_s": first.cpu_s,
        "crawl_cpu_ms_per_page": first.cpu_s / runs[0]["pages"] * 1000,
        "bare_scrapy_cpu_s": bare.cpu_s,
        "bare_scrapy_cpu_ms_per_page": bare.cpu_s / int(bare_pages) * 1000,
        "crawl_cpu_vs_bare_scrapy": first.cpu_s / bare.cpu_s,
        "crawl_vs_bare_scrapy_best_on_these_cores": best_rate / bare_rate,
        # The crawl with its extraction workers (peak of their summed PSS, shared pages split
        # among the processes sharing them), or the main process's peak RSS if that is higher.
        "crawl_peak_rss_mb": max(first.peak_rss_mb, first.peak_tree_pss_mb),
        "crawl_tree_peak_pss_mb": first.peak_tree_pss_mb,
        "crawl_main_peak_rss_mb": first.peak_rss_mb,
        "incremental_first_downloads": runs[0]["full_downloads"],
        "incremental_second_downloads": runs[1]["full_downloads"],
        "incremental_download_ratio": runs[1]["full_downloads"] / max(runs[0]["full_downloads"], 1),
        "incremental_second_s": second.seconds,
        "incremental_time_ratio": second.seconds / first.seconds,
        "rebuild_s": rebuild.seconds,
        "rebuild_reports": rebuilt_reports,
        "rebuild_reports_per_s": rebuilt_reports / rebuild.seconds,
        "rebuild_cached_s": cached.seconds,
        "rebuild_cached_documents": cached_documents,
        "rebuild_cached_speedup": rebuild.seconds / cached.seconds,
        # The same in CPU seconds of the rebuild's processes: what the cache saves the machine,
        # whatever else runs on it (wall time on a shared machine moves with the load).
        "rebuild_cpu_s": rebuild.tree_cpu_s,
        "rebuild_cached_cpu_s": cached.tree_cpu_s,
        "rebuild_cached_cpu_speedup": rebuild.tree_cpu_s / cached.tree_cpu_s,
    }
