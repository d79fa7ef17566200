"""The benchmark runs: every stage of `bench/run.py` at a tiny scale (figures not asserted), and the
bulk loader it uses writes the same rows as the crawl's `store_report`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from archive.bulk import bulk_store_reports
from archive.schema import open_db
from archive.store import store_report

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

TABLES = {
    "reports": "id",
    "report_versions": "report_id, version",
    "metrics": "report_id, key",
    "checks": "report_id, rule",
    "facts": "report_id, seq",
    "agencies": "id",
}


def _rows(db_path: Path) -> dict[str, list[tuple]]:
    db = open_db(db_path)
    try:
        return {
            table: db.execute(f"SELECT * FROM [{table}] ORDER BY {order}").fetchall()
            for table, order in TABLES.items()
        }
    finally:
        db.close()


def test_bulk_loading_writes_the_rows_store_report_writes(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic_db import synthetic_reports

    reports = list(synthetic_reports(40, seed=5))
    one_by_one, bulk = tmp_path / "one.db", tmp_path / "bulk.db"
    db = open_db(one_by_one)
    for document, report in reports:
        store_report(db, document, report)
    db.close()
    db = open_db(bulk)
    assert bulk_store_reports(db, reports, batch_size=7) == 40
    db.close()
    expected = _rows(one_by_one)
    assert len(expected["metrics"]) > 40 * 50  # the generator's truth made it in
    assert _rows(bulk) == expected


def test_cpu_spent_by_a_child_process_is_counted_on_the_machine_not_in_this_process() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from crawl_bench import machine_busy_cpu_s, own_cpu_s

    busy, own = machine_busy_cpu_s(), own_cpu_s()
    spin = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", spin], check=True)

    assert machine_busy_cpu_s() - busy >= 0.45
    assert own_cpu_s() - own < 0.2


def test_the_build_stage_measures_the_slim_download_against_the_full_database(
    tmp_path: Path,
) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "small", "--only", "build",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    slim = tmp_path / "work" / "build" / "nianbao-data.db"
    full = tmp_path / "work" / "build" / "nianbao.db"
    assert results["export_slim_bytes_per_report"] == round(
        slim.stat().st_size / full.stat().st_size, 4
    )
    assert 0 < results["export_slim_report_bytes"] < results["export_full_report_bytes"]
    assert "slim download" in result.stdout


def test_the_accuracy_stage_scores_a_format_and_the_real_reports() -> None:
    # Every format's reading is tested in test_extract_accuracy (text layers) and test_ocr
    # (scans); here the stage's figures on one cheap format (a whole stage costs a minute, an OCR
    # read a dozen seconds more).
    sys.path.insert(0, str(ROOT / "bench"))
    from extract_accuracy import bench_accuracy
    from real_accuracy import bench_real_accuracy

    results = {**bench_accuracy(1, 1, ("html",)), **bench_real_accuracy()}
    for key in ("accuracy_html", "accuracy_ok_missing_cells", "accuracy_real"):
        assert isinstance(results[key], (int, float)) and results[key] == results[key], key
    assert results["accuracy_html"] == 1.0 and results["accuracy_real"] == 1.0


def test_every_bench_stage_runs_and_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "small",
         "--only", "extract,crawl,build,serve,revisits",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    for key in (
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
    ):
        assert isinstance(results[key], (int, float)) and results[key] == results[key], key
    assert "of bare Scrapy" in result.stdout and "p95" in result.stdout
    # The crawl figures are of a whole crawl: every published document archived, nothing failed.
    assert results["crawl_documents_published"] > 0
    assert results["crawl_documents_missed"] == 0 and results["crawl_failures"] == 0
    # Every document the first crawl archived was extracted after its fetch, and that stage timed.
    assert results["crawl_documents_loaded"] >= results["crawl_documents_published"]
    assert 0 < results["crawl_fetch_s"] < results["crawl_s"]
    assert 0 <= results["crawl_documents_extracted_ahead"] <= results["crawl_documents_loaded"]
    # A rebuild with the extraction cache warm takes its reports from it (how much faster it is
    # is the bench's figure, not a test's: timings move with the machine's load).
    assert results["rebuild_cached_documents"] > 0
    # Polite nights: changes were made and every one was seen on or before its promised night.
    assert results["revisit_changes"] > 0
    assert results["revisit_changes_late"] == results["revisit_changes_unseen"] == 0
    # CPU counted over the whole machine: no crawl beats its CPU seconds spread over every core.
    assert results["crawl_cpu_s"] > 0 and results["bare_scrapy_cpu_s"] > 0
    best = results["crawl_vs_bare_scrapy_best_on_these_cores"]
    assert best >= results["crawl_vs_bare_scrapy"] * 0.95
