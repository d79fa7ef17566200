"""`make bench`: where nianbao stands, figures measured side by side in one run, each with its ratio.

    .venv/bin/python bench/run.py [--scale small|full] [--only extract,crawl,build,serve] [--out FILE]

Stages (all on the sample portal or synthetic data, over loopback):
- extract: reports/s of full extraction, and its time ÷ an lxml parse of the same bytes
  (`bench/extract_bench.py`);
- crawl: pages/s of `nianbao crawl` ÷ a bare Scrapy spider on the same URLs; the incremental second
  run's downloads and wall time ÷ the first's; peak RSS of the crawl; `nianbao rebuild` reports/s,
  and its time without the extraction cache ÷ with it warm (`bench/crawl_bench.py`);
- build: seconds and MB to load N synthetic reports into SQLite (`bench/synthetic_db.py`), and the
  slim download `nianbao export` makes of it: bytes per report, and ÷ the full database's;
- serve: p50/p95 of the dashboard queries, a facet page, search and a report page on that database
  (`bench/serve_bench.py`);
- revisits: requests a night with adaptive revisits ÷ revalidating every known report, on a portal
  of N reports aged over seven simulated years, and when each change is seen
  (`bench/revisit_bench.py`);
- accuracy: cells right ÷ cells in the generator's truth, per format agencies publish in (HTML,
  DOCX, reportlab PDF, a WPS-like PDF with and without ruling lines, Chromium's and LibreOffice's
  PDF, DOC, LibreOffice's DOCX), and `ok` reports missing cells (`bench/extract_accuracy.py`);
  and cells right on the real reports of `tests/fixtures/real/reports/` against their
  hand-checked truth (`bench/real_accuracy.py`).

Full scale: 10,000-report crawl, 100,000-report database. Small scale: a quick run proving every
stage works (the test suite runs it). Results go to bench/results.json (keys listed in RESULT_KEYS);
a full-scale run also rewrites the latest figures in docs/benchmarks.md (`bench/docs_table.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from docs_table import DOCS_PAGE, write_docs_table  # noqa: E402 (bench/ is on sys.path now)

from portal.formats import FORMATS as ACCURACY_FORMATS  # noqa: E402

STAGES = ("extract", "crawl", "build", "serve", "revisits", "accuracy")
SCALES: dict[str, dict[str, int]] = {
    # Proves every stage runs (tests/test_bench_smoke.py): the least that exercises each path.
    "small": {"extract_reports": 20, "extract_repeat": 1, "crawl_reports": 12, "build_reports": 200, "serve_repeat": 3, "accuracy_reports": 1, "accuracy_scan_reports": 1, "revisit_reports": 200, "revisit_nights": 35},
    # The sizes except the crawl (2,000 reports, the incremental figure's size): fits a
    # session on a 2-core machine.
    "medium": {"extract_reports": 300, "extract_repeat": 3, "crawl_reports": 2_000, "build_reports": 100_000, "serve_repeat": 20, "accuracy_reports": 30, "accuracy_scan_reports": 10, "revisit_reports": 10_000, "revisit_nights": 120},
    "full": {"extract_reports": 300, "extract_repeat": 3, "crawl_reports": 10_000, "build_reports": 100_000, "serve_repeat": 40, "accuracy_reports": 100, "accuracy_scan_reports": 100, "revisit_reports": 10_000, "revisit_nights": 120},
}  # fmt: skip
RESULT_KEYS = (
    "extract_reports_per_s",
    "extract_vs_lxml_parse",
    "crawl_pages_per_s",
    "crawl_vs_bare_scrapy",
    "crawl_fetch_vs_bare_scrapy",
    "incremental_download_ratio",
    "incremental_time_ratio",
    "build_100k_s",
    "export_slim_bytes_per_report",
    "serve_p95_ms",
    "crawl_peak_rss_mb",
    "rebuild_cached_speedup",
    "rebuild_cached_cpu_speedup",
    "nightly_requests_ratio",
    *(f"accuracy_{fmt}" for fmt in ACCURACY_FORMATS),
    "accuracy_ok_missing_cells",
    "accuracy_real",
    "accuracy_scan_unflagged_wrong_cells",
    "ocr_seconds_per_page",
)


def bench_extract(reports: int, repeat: int) -> dict[str, float]:
    import extract_bench

    from pipeline.extraction.extract import extract_document

    docs = extract_bench.documents(reports)
    extract_document(*docs[0][:3])  # warm-up: imports, regex compilation
    # Parse and extraction timed in turns (extract_bench.measure), medians: fair on a busy machine.
    parse_times, full_times = extract_bench.measure(docs, max(repeat, 3))
    parse_s, full_s = statistics.median(parse_times), statistics.median(full_times)
    return {
        "extract_documents": len(docs),
        "extract_reports_per_s": len(docs) / full_s,
        "lxml_parse_reports_per_s": len(docs) / parse_s,
        "extract_vs_lxml_parse": full_s / parse_s,
    }


def bench_build(work: Path, reports: int) -> dict[str, float]:
    from synthetic_db import build_database

    result = build_database(work / "build" / "nianbao.db", reports)
    return {
        "build_reports": result.reports,
        "build_metric_rows": result.metric_rows,
        "build_load_s": result.load_s,
        "build_publish_s": result.publish_s,
        # The key names the 100k database; at small scale it holds the small build's time.
        "build_100k_s": result.load_s + result.publish_s,
        "build_mb": result.megabytes,
        **bench_export(work / "build" / "nianbao.db", result.reports),
    }


def bench_export(db: Path, reports: int) -> dict[str, float]:
    """The slim database `nianbao export` writes, per report, against the full one it came from."""
    from archive.export.slim import write_slim_db

    slim = db.with_name("nianbao-data.db")
    started = time.perf_counter()
    write_slim_db(db, slim)
    full_bytes, slim_bytes = db.stat().st_size, slim.stat().st_size
    return {
        "export_slim_s": round(time.perf_counter() - started, 2),
        "export_full_report_bytes": round(full_bytes / max(reports, 1)),
        "export_slim_report_bytes": round(slim_bytes / max(reports, 1)),
        # The key: the slim file's bytes per report ÷ the full database's (aim ≤ 0.10).
        "export_slim_bytes_per_report": round(slim_bytes / full_bytes, 4),
    }


def bench_serve(work: Path, repeat: int) -> dict[str, Any]:
    from serve_bench import bench_serve as serve

    db = work / "build" / "nianbao.db"
    if not db.exists():
        raise SystemExit("serve needs the build stage's database: run with the build stage first")
    latencies = serve(db, repeat)
    return {
        "serve": latencies,
        "serve_p95_ms": max(v["p95_ms"] for v in latencies.values()),
        "serve_p50_ms": max(v["p50_ms"] for v in latencies.values()),
    }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        info["cpu"] = model
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        info["memory_gb"] = round(kib / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return info


def table(results: dict[str, Any]) -> str:
    """The run's figures as a text table for the terminal."""
    from summary import serve_rows, summary_rows

    lines = [f"{'figure':<30} {'measured':<58} {'ratio / figure':<36} aim"]
    lines += [
        f"{row.name:<30} {row.measured:<58} {row.ratio:<36} {row.aim}"
        for row in summary_rows(results)
    ]
    for name, p50, p95 in serve_rows(results):
        lines.append(f"  serve {name:<34} p50 {p50:>7} ms   p95 {p95:>7} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", default=",".join(STAGES), help="comma-separated stages")
    parser.add_argument("--work", type=Path, default=Path("data/bench"), help="scratch directory")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument(
        "--docs",
        type=Path,
        help="rewrite the latest figures in this Markdown page (default at full scale: "
        "docs/benchmarks.md; other scales write none)",
    )
    args = parser.parse_args(argv)
    stages = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(
            f"unknown stage(s) {', '.join(sorted(unknown))}; choose from {', '.join(STAGES)}"
        )
    sizes = SCALES[args.scale]
    args.work.mkdir(parents=True, exist_ok=True)
    measured_at = datetime.now(UTC).isoformat(timespec="seconds")
    results: dict[str, Any] = {
        "scale": args.scale,
        "measured_at": measured_at,
        "machine": machine(),
    }
    for stage in stages:
        print(f"[{stage}] …", flush=True)
        started = time.perf_counter()
        if stage == "extract":
            results.update(bench_extract(sizes["extract_reports"], sizes["extract_repeat"]))
        elif stage == "crawl":
            from crawl_bench import bench_crawl

            results.update(bench_crawl(args.work / "crawl", sizes["crawl_reports"]))
        elif stage == "build":
            results.update(bench_build(args.work, sizes["build_reports"]))
        elif stage == "serve":
            results.update(bench_serve(args.work, sizes["serve_repeat"]))
        elif stage == "revisits":
            from revisit_bench import bench_revisits

            results.update(bench_revisits(sizes["revisit_reports"], sizes["revisit_nights"]))
        elif stage == "accuracy":
            from extract_accuracy import bench_accuracy
            from real_accuracy import bench_real_accuracy

            results.update(
                bench_accuracy(sizes["accuracy_reports"], sizes["accuracy_scan_reports"])
            )
            results.update(bench_real_accuracy())
        print(f"[{stage}] done in {time.perf_counter() - started:.1f} s", flush=True)
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    # Stages not run this time keep their last figures, so `--only` refreshes part of the file.
    merged = {**previous, **results} if set(stages) != set(STAGES) else results
    # When each stage's figures were measured, since a merged file holds several runs.
    merged["stage_measured_at"] = {
        **(previous.get("stage_measured_at", {}) if merged is not results else {}),
        **dict.fromkeys(stages, measured_at),
    }
    args.out.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    docs = args.docs or (DOCS_PAGE if args.scale == "full" else None)
    if docs is not None:
        write_docs_table(merged, docs)
        print(f"latest figures written to {docs}")
    return merged


if __name__ == "__main__":
    main()
