"""The bench writes the latest figures into docs/benchmarks.md between its markers, nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from docs_table import END, START, MarkersMissing, write_docs_table  # noqa: E402

RESULTS = {
    "scale": "full",
    "measured_at": "2031-05-07T03:00:00+00:00",
    "stage_measured_at": {"extract": "2031-05-01T10:00:00+00:00"},
    "machine": {"cpus": 7, "cpu": "Test CPU 9000", "memory_gb": 3.5, "python": "3.11.9"},
    "extract_reports_per_s": 123.4,
    "lxml_parse_reports_per_s": 500.0,
    "extract_vs_lxml_parse": 4.05,
    "crawl_vs_bare_scrapy": 0.31,
    "serve": {"report page": {"p50_ms": 9.0, "p95_ms": 14.5}},
}
BEFORE = "# Benchmarks\n\nHow to run them.\n\n"
AFTER = "\n\n## What the figures mean\n\nText a person wrote | with a pipe.\n"


def _page(tmp_path: Path, block: str) -> Path:
    page = tmp_path / "benchmarks.md"
    page.write_text(BEFORE + START + block + END + AFTER, encoding="utf-8")
    return page


def _block(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index(START) + len(START) : text.index(END)]


def test_the_block_between_the_markers_is_replaced_with_the_figures(tmp_path: Path) -> None:
    page = _page(tmp_path, "\n| old figure | 1 |\n")
    write_docs_table(RESULTS, page)
    block = _block(page)
    assert "old figure" not in block
    assert "123.4 reports/s" in block and "4.05× lxml parse time" in block
    assert "0.31 of bare Scrapy" in block
    assert "| report page | 9.0 | 14.5 |" in block


def test_the_block_names_the_machine_and_each_stage_s_date(tmp_path: Path) -> None:
    page = _page(tmp_path, "\n")
    write_docs_table(RESULTS, page)
    block = _block(page)
    assert "7 cores (Test CPU 9000), 3.5 GB RAM, Python 3.11.9" in block
    extraction = next(line for line in block.splitlines() if line.startswith("| extraction |"))
    assert extraction.endswith("| 2031-05-01 |")
    # A stage without a date of its own takes the run's.
    serve = next(line for line in block.splitlines() if line.startswith("| serve |"))
    assert serve.endswith("| 2031-05-07 |")


def test_everything_outside_the_markers_is_left_as_it_was(tmp_path: Path) -> None:
    page = _page(tmp_path, "\nanything\n")
    write_docs_table(RESULTS, page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith(BEFORE + START)
    assert text.endswith(END + AFTER)


def test_writing_twice_gives_the_same_page(tmp_path: Path) -> None:
    page = _page(tmp_path, "\n")
    write_docs_table(RESULTS, page)
    once = page.read_text(encoding="utf-8")
    write_docs_table(RESULTS, page)
    assert page.read_text(encoding="utf-8") == once


def test_a_page_without_markers_is_refused_and_left_alone(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(BEFORE + AFTER, encoding="utf-8")
    with pytest.raises(MarkersMissing):
        write_docs_table(RESULTS, page)
    assert page.read_text(encoding="utf-8") == BEFORE + AFTER


def test_the_docs_page_has_its_markers() -> None:
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert text.index(START) < text.index(END)
