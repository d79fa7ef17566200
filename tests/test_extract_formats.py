"""extract_document on attachment formats beyond the generated PDF/DOCX/XLSX: scans and old Excel.

tests/fixtures/documents/seed_001_tables.xls is seed 001's three tables (the hand-checked YAML laid
out as the 2019 template, merged cells included) written once with xlwt 1.3.0, which is not a
dependency of nianbao: the file is committed instead.
"""

from __future__ import annotations

import io
from pathlib import Path

from test_extract import assert_metrics_match

from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_IMAGE_ONLY, STATUS_OK
from portal.content import SEEDS_DIR, load_seed_truth

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SEED_001 = SEEDS_DIR / "001_fc8dd0114ccc9bd3.yaml"


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF like a scanned report: an image and drawn shapes on every page, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    # A 2x2 grey bitmap stands in for the scanned page image (PPM needs no image library).
    bitmap = io.BytesIO(b"P6 2 2 255\n" + bytes([90, 90, 90, 200, 200, 200] * 2))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        bitmap.seek(0)
        pdf.drawImage(ImageReader(bitmap), 40, 40, width=500, height=760)
        for row in range(20):
            pdf.rect(60, 100 + 30 * row, 480, 24)  # the table's ruling, as a scan shows it
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_image_only_pdf_is_recorded_as_image_only_with_a_reason() -> None:
    report = extract_document(scanned_pdf(), "http://127.0.0.1/files/2020nb.pdf", {})
    assert report.status == STATUS_IMAGE_ONLY
    assert "no text layer" in report.status_reason
    assert report.metrics == {} and report.checks == [] and report.facts == []


def test_image_only_pdf_is_recognised_without_a_pdf_url_or_content_type() -> None:
    report = extract_document(scanned_pdf(1), "http://127.0.0.1/download.jsp?id=9", {})
    assert (report.status, report.content_type) == (STATUS_IMAGE_ONLY, "application/pdf")


def test_xls_attachment_gives_the_seed_yaml_metrics() -> None:
    body = (FIXTURES / "seed_001_tables.xls").read_bytes()
    report = extract_document(body, "http://127.0.0.1/files/2020nb.xls", {})
    truth = load_seed_truth(SEED_001)
    assert (report.status, report.agency, report.year) == (STATUS_OK, truth["agency"], 2020)
    assert report.content_type == "application/vnd.ms-excel"
    assert_metrics_match(report, SEED_001)


def test_xls_served_by_content_type_alone_is_read() -> None:
    body = (FIXTURES / "seed_001_tables.xls").read_bytes()
    report = extract_document(
        body, "http://127.0.0.1/download?id=3", {"Content-Type": "application/vnd.ms-excel"}
    )
    assert report.status == STATUS_OK
    assert_metrics_match(report, SEED_001)
