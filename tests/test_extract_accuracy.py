"""Cells right per format: a few synthetic reports in every format agencies publish, read back.

The renderings (`portal.formats`) are made once for the module, in one batch per tool; the truth
is the generator's. The floors are what the reader achieved when they were set (the same 3
reports, seed 18): a reader that reads fewer cells fails here. Raise a floor when the reader
improves. With CI=true a missing Chromium or LibreOffice fails these tests, never skips them.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import ROOT

from portal.formats import FORMATS as ALL_FORMATS
from portal.formats import SCAN_FORMATS, FormatSet, render_formats
from portal.synthetic import generate

sys.path.insert(0, str(ROOT / "bench"))
from extract_accuracy import SEED, score  # noqa: E402 (bench/ is on sys.path now)
from test_pdf_provenance import assert_every_number_traceable  # noqa: E402

from pipeline.extraction.extract import extract_document  # noqa: E402

# Starts Chromium and LibreOffice (≈ 18 s for the module): left out of `make test-fast`.
pytestmark = pytest.mark.slow

REPORTS = 3
# Cells right ÷ cells in the truth over the 3 reports, measured 2026-12-07 (596 cells a format).
FLOORS = {
    "html": 1.0,
    "docx": 1.0,
    "pdf_reportlab": 1.0,
    "docx_office": 1.0,
    "doc": 1.0,
    "pdf_wps": 1.0,  # the WPS-like PDF (its truth is what it prints; tests/test_wps_pdf.py: 12)
    # Drawn without rules: read from the text layer, rows with blank cells by their words' places.
    "pdf_wps_borderless": 1.0,
    # Table 三 rows cut by page breaks and wrapped labels are found since the 2026-12-07 fixes.
    "pdf_browser": 1.0,
    "pdf_office": 1.0,
}
PDF_FORMATS = ("pdf_reportlab", "pdf_browser", "pdf_office")
# Scans are read by OCR (seconds a page): tests/test_ocr.py holds their floors.
FORMATS = tuple(fmt for fmt in ALL_FORMATS if fmt not in SCAN_FORMATS)


@pytest.fixture(scope="module")
def rendered() -> FormatSet:
    return render_formats(generate(REPORTS, seed=SEED), FORMATS)


@pytest.fixture(scope="module")
def scores(rendered: FormatSet) -> dict[str, dict[str, Any]]:
    return {
        fmt: {**score(rendered.renderings.get(fmt, [])), "problem": rendered.problems.get(fmt)}
        for fmt in FORMATS
    }


def _rendered(figures: dict[str, Any]) -> dict[str, Any]:
    """The format's figures; a format its tool could not make skips (fails with CI=true)."""
    if figures["problem"]:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(figures["problem"])
        pytest.skip(figures["problem"])
    return figures


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_at_least_the_cells_it_read_when_measured(
    scores: dict[str, dict[str, Any]], fmt: str
) -> None:
    figures = _rendered(scores[fmt])
    assert figures["reports"] == REPORTS
    assert figures["cells"] > REPORTS * 150  # every cell of the truth is counted
    assert figures["accuracy"] >= FLOORS[fmt] - 1e-9, figures


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_is_ok_while_cells_are_missing(
    scores: dict[str, dict[str, Any]], fmt: str
) -> None:
    figures = _rendered(scores[fmt])
    assert figures["ok_missing_cells"] == 0, figures


@pytest.mark.parametrize("fmt", PDF_FORMATS)
def test_every_pdf_number_is_printed_in_its_box(
    rendered: FormatSet, scores: dict[str, dict[str, Any]], fmt: str
) -> None:
    _rendered(scores[fmt])
    for rendering in rendered.renderings[fmt]:
        report = extract_document(rendering.body, rendering.url, rendering.headers)
        assert_every_number_traceable(rendering.body, report.metrics)
