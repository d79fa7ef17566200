"""The figures of a bench run, row by row: what `bench/run.py` prints and docs/benchmarks.md shows.

`summary_rows` turns a results dict (the shape of bench/results.json) into one row per figure:
the bench stage that measured it, its name, what was measured, its ratio and its aim. A figure
missing from the results shows as "—", so a run of some stages (`--only`) still has every row;
the accuracy stage adds one row per format it read, and one for the real reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

MISSING = "—"


class SummaryRow(NamedTuple):
    stage: str  # the bench stage that measured it: extract, crawl, build, serve, revisits, accuracy
    name: str
    measured: str
    ratio: str
    aim: str


def summary_rows(results: dict[str, Any]) -> list[SummaryRow]:
    """One row per figure of `results`, in the order the bench prints them."""

    def figure(key: str, fmt: str = "{:.1f}", unit: float = 1) -> str:
        value = results.get(key)
        return MISSING if value is None else fmt.format(value / unit)

    cores = results.get("machine", {}).get("cpus", MISSING)
    return _timing_rows(results, figure, cores) + accuracy_rows(results)


def accuracy_rows(results: dict[str, Any]) -> list[SummaryRow]:
    """One row per format the accuracy stage read: cells right, statuses, `ok` missing cells."""
    rows = []
    for fmt, fig in results.get("accuracy", {}).items():
        statuses = ", ".join(f"{status} {n}" for status, n in sorted(fig["statuses"].items()))
        measured = f"{fig['cells_right']:,} of {fig['cells']:,} cells, {fig['reports']} reports ({statuses})"
        ratio = f"{fig['accuracy']:.1%}; {fig['ok_missing_cells']} ok missing cells"
        # Issue 18's aims: text layers ≥ 99.5 %; scans ≥ 97 % with every wrong cell flagged
        # (low confidence, a failed identity or a row named missing), OCR ≤ 2 CPU s a page.
        aim = "≥ 99.5 %; 0"
        if "ocr_seconds_per_page" in fig:
            measured += f"; OCR {fig['ocr_seconds_per_page']:.2f} CPU s a page"
            ratio += f"; {fig['unflagged_wrong_cells']} wrong cells unflagged"
            aim = "≥ 97 %; 0; 0; ≤ 2 s"
        rows.append(SummaryRow("accuracy", f"cells right, {fmt}", measured, ratio, aim))
    if "accuracy_real" in results:
        rows.append(
            SummaryRow(
                "accuracy",
                "cells right, real reports",
                f"{results['accuracy_real_cells']:,} hand-checked cells, "
                f"{results['accuracy_real_reports']} real reports (tests/fixtures/real/reports)",
                f"{results['accuracy_real']:.1%}; "
                f"{results['accuracy_real_ok_wrong_cells']} ok with cells wrong",
                "100 %; 0",
            )
        )
    return rows


def _timing_rows(
    results: dict[str, Any], figure: Callable[..., str], cores: object
) -> list[SummaryRow]:
    return [
        SummaryRow("extract", "extraction", f"{figure('extract_reports_per_s')} reports/s (lxml parse alone {figure('lxml_parse_reports_per_s', '{:,.0f}')}/s)", f"{figure('extract_vs_lxml_parse', '{:.2f}')}× lxml parse time", "≤ 3×"),
        SummaryRow("crawl", "crawl, fetch and archive stage", f"{figure('crawl_fetch_pages_per_s')} pages/s in {figure('crawl_fetch_s')} s (bare Scrapy {figure('bare_scrapy_engine_pages_per_s')} pages/s, engine time both)", f"{figure('crawl_fetch_vs_bare_scrapy', '{:.2f}')} of bare Scrapy", "≥ 0.75"),
        SummaryRow("crawl", "crawl, whole command", f"{figure('crawl_pages_per_s')} pages/s, {figure('crawl_s')} s (bare Scrapy {figure('bare_scrapy_pages_per_s')} pages/s, process time both); load {figure('crawl_load_s')} s, {figure('crawl_documents_extracted_ahead', '{:,.0f}')} of {figure('crawl_documents_loaded', '{:,.0f}')} documents extracted ahead", f"{figure('crawl_vs_bare_scrapy', '{:.2f}')} of bare Scrapy", "≥ 0.75"),
        SummaryRow("crawl", "crawl CPU", f"{figure('crawl_cpu_s')} CPU-s, {figure('crawl_cpu_ms_per_page')} ms a page (bare Scrapy {figure('bare_scrapy_cpu_s')} CPU-s, {figure('bare_scrapy_cpu_ms_per_page')} ms a page)", f"{figure('crawl_cpu_vs_bare_scrapy')}× the CPU; best on {cores} cores {figure('crawl_vs_bare_scrapy_best_on_these_cores', '{:.2f}')} of bare Scrapy", "the whole command's ceiling here"),
        SummaryRow("crawl", "coverage (first crawl)", f"{figure('crawl_documents_published', '{:,.0f}')} published documents, {figure('crawl_documents_missed', '{:,.0f}')} missed, {figure('crawl_pages', '{:,.0f}')} pages", f"{figure('crawl_failures', '{:,.0f}')} failures", "all, 0"),
        SummaryRow("crawl", "incremental second run", f"downloads {figure('incremental_second_downloads', '{:,.0f}')} of {figure('incremental_first_downloads', '{:,.0f}')}; {figure('incremental_second_s')} s vs {figure('crawl_s')} s", f"{figure('incremental_download_ratio', '{:.3f}')} downloads, {figure('incremental_time_ratio', '{:.2f}')} time", "< 0.05, < 0.25"),
        SummaryRow("build", "build", f"{figure('build_reports', '{:,.0f}')} reports, {figure('build_metric_rows', '{:.1f}', 1e6)} M metric rows: {figure('build_100k_s', '{:.0f}')} s (load {figure('build_load_s', '{:.0f}')} s + publish {figure('build_publish_s', '{:.0f}')} s), {figure('build_mb', '{:.1f}', 1000)} GB", "", ""),
        SummaryRow("build", "slim download (nianbao export)", f"{figure('export_slim_report_bytes', '{:,.0f}')} bytes a report (full database {figure('export_full_report_bytes', '{:,.0f}')}), written in {figure('export_slim_s')} s", f"{figure('export_slim_bytes_per_report', '{:.3f}')} of the full database's bytes per report", "≤ 0.10"),
        SummaryRow("crawl", "rebuild", f"{figure('rebuild_reports_per_s')} reports/s ({figure('rebuild_reports', '{:,.0f}')} in {figure('rebuild_s')} s, no extraction cache)", "", ""),
        SummaryRow("crawl", "rebuild, extraction cache warm", f"{figure('rebuild_cached_s')} s, {figure('rebuild_cached_documents', '{:,.0f}')} documents from the cache", f"{figure('rebuild_cached_speedup')}× faster than cold", "≥ 10×"),
        SummaryRow("serve", "serve", f"worst p50 {figure('serve_p50_ms', '{:.0f}')} ms", f"worst p95 {figure('serve_p95_ms', '{:.0f}')} ms", "p95 < 300 ms"),
        SummaryRow("revisits", "polite nights", f"{figure('revisit_reports', '{:,.0f}')} reports over {figure('revisit_nights', '{:.0f}')} nights: {figure('revisit_requests_per_night', '{:,.0f}')} requests a night after the first month (largest {figure('revisit_requests_max_night', '{:,.0f}')}) vs {figure('revisit_requests_per_night_today', '{:,.0f}')} revalidating everything; {figure('revisit_changes', '{:.0f}')} changes, {figure('revisit_changes_late', '{:.0f}')} late, longest {figure('revisit_change_delay_max_days', '{:.0f}')} days", f"{figure('nightly_requests_ratio', '{:.3f}')} largest night (mean {figure('nightly_requests_ratio_mean', '{:.3f}')})", "≤ 0.10; 0 late"),
        SummaryRow("crawl", "memory", f"crawl of {figure('crawl_reports', '{:,.0f}')} reports: main process peak RSS {figure('crawl_main_peak_rss_mb', '{:.0f}')} MB", f"peak {figure('crawl_peak_rss_mb', '{:.0f}')} MB with workers (summed PSS)", "< 500 MB"),
    ]  # fmt: skip


def serve_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(request, p50 ms, p95 ms) for every request the serve stage timed, figures as text."""

    def ms(figures: dict[str, float], key: str) -> str:
        value = figures.get(key)
        return MISSING if value is None else f"{value:.1f}"

    return [
        (name, ms(figures, "p50_ms"), ms(figures, "p95_ms"))
        for name, figures in results.get("serve", {}).items()
    ]
