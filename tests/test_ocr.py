"""Scans read by OCR: an image-only PDF and table images in an HTML page, against the generator's
truth (`portal.formats`' scan_pdf and scan_png renderings of synthetic reports, seed 18).

The OCR engine (rapidocr-onnxruntime, models inside the wheel) is a dependency: a missing engine
fails these tests. Reading a scanned report costs seconds: left out of `make test-fast`.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from pipeline.extraction.attachments.ocr import LOW_CONFIDENCE
from pipeline.extraction.checks import check_tables
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_IMAGE_ONLY, STATUS_OCR, ExtractedReport
from pipeline.extraction.scan_provenance import flag_doubtful
from portal.formats import Rendering, render_formats
from portal.synthetic import generate

pytestmark = pytest.mark.slow

SEED = 18
# Cells right ÷ cells in the truth the reader must reach on one scanned report (the aim).
MIN_ACCURACY = 0.97


@pytest.fixture(scope="module")
def reads() -> dict[str, tuple[ExtractedReport, int, list[str]]]:
    """Per scan format: the report read from one synthetic report, cells right, keys wrong."""
    rendered = render_formats(generate(1, seed=SEED), ("scan_pdf", "scan_png"))
    results = {}
    for fmt, renderings in rendered.renderings.items():
        rendering: Rendering = renderings[0]
        report = extract_document(
            rendering.body, rendering.url, rendering.headers, images=rendering.images
        )
        truth = rendering.truth.metrics
        wrong = [k for k, v in truth.items() if k not in report.metrics or report.value(k) != v]
        results[fmt] = (report, len(truth) - len(wrong), wrong)
    return results


@pytest.mark.parametrize("fmt", ["scan_pdf", "scan_png"])
def test_scanned_report_is_read_by_ocr_with_the_generators_numbers(
    reads: dict[str, tuple[ExtractedReport, int, list[str]]], fmt: str
) -> None:
    report, right, wrong = reads[fmt]
    assert report.status == STATUS_OCR, report.status_reason
    assert "read by OCR" in report.status_reason
    assert right / (right + len(wrong)) >= MIN_ACCURACY, wrong


def test_a_scanned_pdfs_title_agency_and_year_are_read_from_its_prose(
    reads: dict[str, tuple[ExtractedReport, int, list[str]]],
) -> None:
    # The 16 pt title's long horizontal strokes are not ruling lines (they were painted out).
    report = reads["scan_pdf"][0]
    truth = generate(1, seed=SEED)[0]
    assert (report.title, report.agency, report.year) == (truth.title, truth.agency, truth.year)


@pytest.mark.parametrize("fmt", ["scan_pdf", "scan_png"])
def test_every_number_read_by_ocr_keeps_its_page_box_and_confidence(
    reads: dict[str, tuple[ExtractedReport, int, list[str]]], fmt: str
) -> None:
    report = reads[fmt][0]
    printed = [m for m in report.metrics.values() if m.raw.strip()]
    assert printed
    for metric in printed:
        assert metric.confidence is not None and 0.0 <= metric.confidence <= 1.0, metric
        assert metric.page is not None and metric.page >= 1, metric
        assert metric.bbox is not None, metric
        x0, top, x1, bottom = metric.bbox
        assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 850, metric  # on an A4 page


def test_a_scanned_number_the_identities_contradict_is_marked_doubtful(
    reads: dict[str, tuple[ExtractedReport, int, list[str]]],
) -> None:
    report = reads["scan_pdf"][0]
    # The number a misreading would give: 新收 of the natural-person column, read 9 too high,
    # breaks that column's balance and the row's total at once.
    key = "apply.new.natural"
    misread = dict(report.metrics)
    misread[key] = replace(misread[key], value=(misread[key].value or 0) + 9, confidence=0.99)
    flagged = flag_doubtful(report.template, misread, check_tables(report.template, misread))
    assert flagged[key].confidence is not None and flagged[key].confidence < LOW_CONFIDENCE
    others = [k for k, m in flagged.items() if m.confidence != misread[k].confidence]
    assert others == [key]


def test_an_image_with_no_text_stays_image_only() -> None:
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for row in range(12):  # a ruled, empty form: lines but not one character
        draw.rectangle((120, 200 + 60 * row, 1120, 260 + 60 * row), outline=0, width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    report = extract_document(buffer.getvalue(), "http://127.0.0.1/files/table.png", {})
    assert report.status == STATUS_IMAGE_ONLY
    assert "OCR read nothing" in report.status_reason
    assert report.metrics == {}
