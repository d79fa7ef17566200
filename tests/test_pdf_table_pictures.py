"""A typed PDF whose tables are pictures (scanned tables pasted into the report before it was saved
as PDF) is read by OCR on the pages that hold them, against the generator's truth
(`portal.formats`' pdf_table_pictures, seed 18); a typed PDF whose tables are typed is not
OCR'd for the pictures it also shows.

Reading the pictures costs seconds: left out of `make test-fast`.
"""

from __future__ import annotations

import io

import pytest

from pipeline.extraction.attachments import picture_pages
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_NO_TABLES, STATUS_OCR, STATUS_OK, ExtractedReport
from portal.file_render import pdf_table, render_pdf
from portal.formats import Rendering, render_formats
from portal.synthetic import generate

pytestmark = pytest.mark.slow

SEED = 18
MIN_ACCURACY = 0.97  # the aim for scans


@pytest.fixture(scope="module")
def rendering() -> Rendering:
    return render_formats(generate(1, seed=SEED), ("pdf_table_pictures",)).renderings[
        "pdf_table_pictures"
    ][0]


@pytest.fixture(scope="module")
def report(rendering: Rendering) -> ExtractedReport:
    return extract_document(rendering.body, rendering.url, rendering.headers)


def _banner_png(width: int = 1200, height: int = 160) -> bytes:
    """A wide picture with no table in it: a letterhead band of grey stripes."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 40):
        draw.rectangle((x, 20, x + 20, height - 20), fill=90)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _with_pictures(tables_too: bool) -> bytes:
    """The synthetic report's typed PDF with a wide picture after each table heading; with
    `tables_too` the tables are typed below it, without them the report prints no table."""
    from reportlab.platypus import Image

    def flowables(table: object) -> list[object]:
        banner = Image(io.BytesIO(_banner_png()), width=460, height=60)
        return [banner, pdf_table(table)] if tables_too else [banner]  # type: ignore[arg-type]

    return render_pdf(generate(1, seed=SEED)[0], flowables)


def test_the_pages_holding_pictures_as_wide_as_a_table_are_named(rendering: Rendering) -> None:
    pages, typed = picture_pages(rendering.body)
    # Page 1: title, prose and table 二's picture; page 2: table 三's and table 四's pictures
    # under a heading of 19 characters (no text layer of its own); page 3: prose alone.
    assert pages == [1, 2]
    assert typed == {1}


def test_a_typed_pdfs_tables_printed_as_pictures_are_read_by_ocr(
    rendering: Rendering, report: ExtractedReport
) -> None:
    truth = rendering.truth.metrics
    wrong = [k for k, v in truth.items() if k not in report.metrics or report.value(k) != v]
    assert report.status == STATUS_OCR, report.status_reason
    assert "read by OCR" in report.status_reason
    assert (len(truth) - len(wrong)) / len(truth) >= MIN_ACCURACY, wrong
    assert report.missing_rows == []


def test_the_text_layer_still_gives_title_agency_and_year(
    rendering: Rendering, report: ExtractedReport
) -> None:
    spec = generate(1, seed=SEED)[0]
    assert (report.title, report.agency, report.year) == (spec.title, spec.agency, spec.year)
    # The prose is the text layer's, once: OCR added no second copy of the typed pages' prose.
    assert report.text.count(spec.intro[0][:20]) == 1


def test_every_number_read_from_a_picture_keeps_its_page_box_and_confidence(
    report: ExtractedReport,
) -> None:
    printed = [m for m in report.metrics.values() if m.raw.strip()]
    assert printed
    assert {m.page for m in printed} == {1, 2}
    table_two = [m for k, m in report.metrics.items() if k.startswith("active.") and m.raw.strip()]
    assert table_two and all(m.page == 1 for m in table_two)
    for metric in printed:
        assert metric.confidence is not None and 0.0 <= metric.confidence <= 1.0, metric
        assert metric.bbox is not None, metric


def test_pictures_beside_typed_tables_are_not_read_by_ocr() -> None:
    report = extract_document(_with_pictures(True), "http://127.0.0.1/files/r.pdf", {})
    assert report.status == STATUS_OK, report.status_reason
    assert all(m.confidence is None for m in report.metrics.values())


def test_pictures_without_a_table_leave_a_report_without_tables() -> None:
    report = extract_document(_with_pictures(False), "http://127.0.0.1/files/r.pdf", {})
    assert report.status == STATUS_NO_TABLES, report.status_reason
    assert report.metrics == {}


def test_a_cell_read_from_a_picture_is_boxed_where_the_picture_is_printed(
    rendering: Rendering, report: ExtractedReport
) -> None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(rendering.body)
    page = document[0]
    height = page.get_height()
    left, bottom, right, top = max(
        (
            picture.get_bounds()
            for picture in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
        ),
        key=lambda bounds: bounds[2] - bounds[0],
    )
    document.close()
    on_page_one = [m for m in report.metrics.values() if m.page == 1 and m.bbox is not None]
    assert on_page_one
    for metric in on_page_one:
        x0, y0, x1, y1 = metric.bbox  # type: ignore[misc]
        # Top-down page coordinates, within the picture (a point of slack for the tilt).
        assert left - 1 <= x0 < x1 <= right + 1, metric
        assert height - top - 1 <= y0 < y1 <= height - bottom + 1, metric
