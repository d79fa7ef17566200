"""The PDFium reader (pipeline.extraction.attachments.pdf_pdfium) against pdfplumber: same rows, same text, same metrics.

pdfplumber (`read_pdf_plumber`) is the independent reference here: the fast reader rebuilds its
results from PDFium, so every PDF below is read both ways and compared. Metrics are checked
against the generator's values and the seed YAML (tests/test_extract.py builds those PDFs).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_attachments import small_pdf
from test_extract import SHARED_PDF, TABLED_SEEDS, assert_metrics_match, render_pdf, seed_id
from test_extract_formats import scanned_pdf

from pipeline.extraction.attachments import read_pdf, read_pdf_plumber
from pipeline.extraction.attachments.pdf_pdfium import read_pdf_fast
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_OK
from portal.file_render import render_pdf as render_synthetic_pdf
from portal.synthetic import generate

SYNTHETIC = generate(6, seed=11)


def assert_same_reading(body: bytes) -> None:
    fast = read_pdf_fast(body, 80)
    assert fast is not None, "the fast reader fell back"
    slow = read_pdf_plumber(body)
    assert fast.tables_found == slow.tables_found
    assert fast.rows == slow.rows
    assert fast.text == slow.text
    assert (fast.has_text_layer, fast.problem) == (slow.has_text_layer, slow.problem)


@pytest.mark.parametrize("index", range(len(SYNTHETIC)))
def test_synthetic_pdf_reads_the_same_as_pdfplumber(index: int) -> None:
    assert_same_reading(render_synthetic_pdf(SYNTHETIC[index]))


@pytest.mark.parametrize("index", range(0, len(SYNTHETIC), 2))
def test_synthetic_pdf_gives_the_generator_values(index: int) -> None:
    spec = SYNTHETIC[index]
    report = extract_document(render_synthetic_pdf(spec), "http://127.0.0.1/files/a.pdf", {})
    assert report.status == STATUS_OK, report.status_reason
    wrong = {
        key: (report.value(key), value)
        for key, value in spec.metrics.items()
        if not (value is None and report.value(key) is None)
        and report.value(key) != pytest.approx(value)
    }
    assert not wrong


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_seed_pdf_reads_the_same_as_pdfplumber(yaml_path: Path) -> None:
    assert_same_reading(render_pdf(yaml_path))


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS[:1], ids=seed_id)
def test_seed_pdf_through_read_pdf_gives_the_yaml_metrics(yaml_path: Path) -> None:
    report = extract_document(render_pdf(yaml_path), "http://127.0.0.1/files/a.pdf", {})
    assert report.status == STATUS_OK
    assert_metrics_match(report, yaml_path)


@pytest.mark.skipif(not SHARED_PDF.exists(), reason="../shared/samples is not on this machine")
def test_real_pdf_reads_the_same_as_pdfplumber() -> None:
    assert_same_reading(SHARED_PDF.read_bytes())


def _grid_in_a_form() -> bytes:
    """A 3x3 ruled grid drawn inside a Form XObject placed with a translation, text outside it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.beginForm("grid")
    for step in range(4):
        pdf.line(0, 30 * step, 240, 30 * step)
        pdf.line(80 * step, 0, 80 * step, 90)
    pdf.endForm()
    pdf.saveState()
    pdf.translate(100, 500)
    pdf.doForm("grid")
    pdf.restoreState()
    pdf.setFont("STSong-Light", 10)
    for row, label in enumerate(["行政许可", "行政处罚", "行政强制"]):
        pdf.drawString(110, 500 + 90 - 30 * row - 20, label)
        pdf.drawString(190, 500 + 90 - 30 * row - 20, str(row * 7))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_table_ruled_inside_a_form_reads_the_same_as_pdfplumber() -> None:
    body = _grid_in_a_form()
    assert_same_reading(body)
    assert read_pdf_fast(body, 80).rows[0] == ["行政许可", "0", ""]


def test_page_cap_is_reported_as_a_problem() -> None:
    import pdfplumber

    body = render_synthetic_pdf(SYNTHETIC[0])
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        pages = len(pdf.pages)
    fast = read_pdf_fast(body, 1)
    assert fast is not None and fast.problem == f"only the first 1 of {pages} pages read"
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        assert fast.text == (pdf.pages[0].extract_text() or "").strip()


def test_text_without_any_ruled_table_is_left_to_pdfplumber() -> None:
    body = small_pdf()
    assert read_pdf_fast(body, 80) is None
    assert "年度报告" in read_pdf(body).text


def test_rotated_page_is_left_to_pdfplumber() -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setPageRotation(90)
    pdf.grid([100, 200, 300], [100, 200, 300])
    pdf.showPage()
    pdf.save()
    assert read_pdf_fast(buffer.getvalue(), 80) is None


def test_scan_without_text_layer_is_read_fast_and_flagged() -> None:
    fast = read_pdf_fast(scanned_pdf(), 80)
    assert fast is not None and fast.has_text_layer is False
    assert fast.rows == read_pdf_plumber(scanned_pdf()).rows


def test_corrupt_pdf_is_left_to_pdfplumber_which_reports_a_problem() -> None:
    assert read_pdf_fast(b"%PDF-1.4\n garbage", 80) is None
    assert read_pdf(b"%PDF-1.4\n garbage").problem.startswith("unreadable PDF")


@pytest.mark.parametrize("seed", range(40))
def test_clustering_groups_as_pdfplumber_does(seed: int) -> None:
    """`pdf_words.cluster` against pdfplumber's own `cluster_objects`, on values both spread wider
    than the tolerance and within it (a cell's one line), in both orders."""
    import random

    from pdfplumber.utils.clustering import cluster_objects

    from pipeline.extraction.attachments.pdf_words import cluster

    rng = random.Random(seed)
    spread = rng.choice([0.0, 1.0, 2.99, 3.0, 3.01, 4.5, 5.9, 8.0, 60.0])
    items = [
        (rng.randrange(1000), round(rng.uniform(0, spread), 2)) for _ in range(rng.randrange(7))
    ]
    for keep_order in (False, True):
        ours = cluster(items, lambda item: item[1], 3.0, keep_order)
        assert ours == cluster_objects(items, lambda item: item[1], 3.0, keep_order)
