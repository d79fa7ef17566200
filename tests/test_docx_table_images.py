"""Word files whose tables are pictures: read by OCR only when the file's own tables lack them.

The reports are `portal.formats`' `docx_table_images` renderings of synthetic reports (seed 18):
prose as Word paragraphs, each table a picture cut from the report's scan, a table broken across
pages two pictures. They are read by the real OCR engine, against the generator's truth, as
`tests/test_ocr.py` reads the scans. The pictures are found in body order (`docx_pictures`), and
a Word file whose tables are text is never OCR'd for its logo.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import replace

import pytest
from conftest import ROOT

from pipeline.extraction.attachments import read_docx
from pipeline.extraction.attachments.docx_pictures import docx_pictures
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_OCR, STATUS_OK, STATUS_PARTIAL, ExtractedReport
from portal.file_render import render_docx
from portal.formats import Rendering, render_formats
from portal.synthetic import generate
from portal.tables import REVIEW_ROWS

sys.path.insert(0, str(ROOT / "bench"))
from extract_accuracy import _unflagged_wrong  # noqa: E402 (bench/ is on sys.path now)

# OCR reads a report's 4–5 pictures in ≈ 3 CPU-s: left out of `make test-fast`.
pytestmark = pytest.mark.slow

SEED = 18
REPORTS = 2
# Cells right ÷ cells in the truth each report must reach, as for a scan (tests/test_ocr.py).
MIN_ACCURACY = 0.97
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
POINTS_PER_PIXEL = 72 / 150  # the pictures are cut from a 150 dpi scan and say so


@pytest.fixture(scope="module")
def reads() -> list[tuple[Rendering, ExtractedReport]]:
    rendered = render_formats(generate(REPORTS, seed=SEED), ("docx_table_images",))
    return [
        (rendering, extract_document(rendering.body, rendering.url, rendering.headers))
        for rendering in rendered.renderings["docx_table_images"]
    ]


def _png(width: int, height: int) -> bytes:
    """A picture that is not a table: a grey disc on white."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (width, height), 255)
    ImageDraw.Draw(image).ellipse((10, 10, width - 10, height - 10), fill=128)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _with_pictures(body: bytes, pictures: list[bytes]) -> bytes:
    """The Word file `body` with `pictures` added after its last paragraph, in order."""
    import docx

    document = docx.Document(io.BytesIO(body))
    for picture in pictures:
        document.add_picture(io.BytesIO(picture))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _media_replaced(body: bytes, replacement: bytes) -> bytes:
    """The Word file `body` with every word/media part's bytes replaced by `replacement`."""
    source, out = zipfile.ZipFile(io.BytesIO(body)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, replacement if info.filename.startswith("word/media/") else data)
    return out.getvalue()


def test_tables_pasted_as_pictures_are_read_by_ocr_with_the_generators_numbers(
    reads: list[tuple[Rendering, ExtractedReport]],
) -> None:
    for rendering, report in reads:
        truth = rendering.truth.metrics
        right = sum(key in report.metrics and report.value(key) == v for key, v in truth.items())
        assert report.status == STATUS_OCR, report.status_reason
        assert "read by OCR" in report.status_reason
        assert right / len(truth) >= MIN_ACCURACY, report.status_reason
        # Every cell read wrong is flagged: doubtful, in a failed identity, or in a missing row.
        assert _unflagged_wrong(report, truth) == 0


def test_the_prose_of_a_docx_with_table_pictures_is_read_from_its_text(
    reads: list[tuple[Rendering, ExtractedReport]],
) -> None:
    for rendering, report in reads:
        truth = rendering.truth
        assert (report.title, report.year, report.template) == (
            truth.title,
            truth.year,
            truth.template,
        )


def test_every_number_keeps_the_picture_it_was_read_from(
    reads: list[tuple[Rendering, ExtractedReport]],
) -> None:
    from PIL import Image

    for rendering, report in reads:
        pictures = docx_pictures(rendering.body).bodies
        sizes = [Image.open(io.BytesIO(picture)).size for picture in pictures]
        printed = [m for m in report.metrics.values() if m.raw.strip()]
        assert printed
        for metric in printed:
            assert metric.confidence is not None and 0.0 <= metric.confidence <= 1.0, metric
            assert metric.page is not None and 1 <= metric.page <= len(pictures), metric
            assert metric.bbox is not None, metric
            width, height = (side * POINTS_PER_PIXEL for side in sizes[metric.page - 1])
            x0, top, x1, bottom = metric.bbox
            assert 0 <= x0 < x1 <= width and 0 <= top < bottom <= height, metric
        # Table 一 is the first picture, table 四 the last.
        assert {m.page for k, m in report.metrics.items() if k.startswith("active.")} == {1}
        assert report.metrics["review.total"].page == len(pictures)


def test_a_docx_with_real_tables_and_a_large_picture_is_not_read_by_ocr() -> None:
    spec = generate(1, seed=SEED)[0]
    body = _with_pictures(render_docx(spec), [_png(600, 400)])
    assert len(read_docx(body).pictures) == 1  # a picture OCR would read, were the tables lacking
    report = extract_document(body, "http://127.0.0.1/files/report.docx", {})
    assert report.status == STATUS_OK, report.status_reason
    assert "OCR" not in report.status_reason
    assert all(metric.confidence is None for metric in report.metrics.values())
    assert {k: report.value(k) for k in spec.metrics} == spec.metrics


def test_a_picture_ocr_cannot_read_is_named_and_the_text_tables_are_kept() -> None:
    spec = generate(1, seed=SEED)[0]
    # Tables 一 to 三 as Word tables, table 四 pasted as a picture Word keeps as EMF.
    trimmed = replace(spec, omitted_rows=spec.omitted_rows | REVIEW_ROWS)
    emf = b"\x01\x00\x00\x00" + b"\x00" * 200
    body = _media_replaced(_with_pictures(render_docx(trimmed), [_png(600, 400)]), emf)
    report = extract_document(
        body, "http://127.0.0.1/files/report.docx", {"content-type": DOCX_TYPE}
    )
    assert report.status == STATUS_PARTIAL
    assert "picture word/media/image1.png not read: EMF" in report.status_reason
    kept = {k: v for k, v in spec.metrics.items() if not k.startswith(("review", "litigation"))}
    assert kept and {k: report.value(k) for k in kept} == kept


def test_pictures_are_found_in_body_order_and_decoration_is_left_out() -> None:
    import docx

    first, second = _png(800, 120), _png(900, 500)  # a table strip; a table
    document = docx.Document()
    document.add_paragraph("说明")
    document.add_picture(io.BytesIO(first))  # word/media/image1.png
    document.add_picture(io.BytesIO(_png(120, 120)))  # a logo
    document.add_picture(io.BytesIO(second))  # word/media/image3.png
    body_element = document.element.body
    body_element.insert(0, body_element[3])  # the last picture's paragraph now comes first
    buffer = io.BytesIO()
    document.save(buffer)
    pictures = docx_pictures(buffer.getvalue())
    assert pictures.bodies == [second, first]
    assert pictures.problems == []


def test_a_docx_without_pictures_has_none_to_read() -> None:
    content = read_docx(render_docx(generate(1, seed=SEED)[0]))
    assert (content.pictures, content.picture_problems) == ([], [])


def test_a_docx_of_scanned_pages_pasted_as_pictures_is_read_whole_by_ocr() -> None:
    import docx

    rendering = render_formats(generate(1, seed=SEED), ("scan_png",)).renderings["scan_png"][0]
    document = docx.Document()  # no text at all: every word is in the pictures
    for page in rendering.images:
        document.add_picture(io.BytesIO(page))
    buffer = io.BytesIO()
    document.save(buffer)
    report = extract_document(buffer.getvalue(), "http://127.0.0.1/files/scanned.docx", {})
    assert report.status == STATUS_OCR, report.status_reason
    assert report.title == rendering.truth.title
    truth = rendering.truth.metrics
    right = sum(key in report.metrics and report.value(key) == v for key, v in truth.items())
    assert right / len(truth) >= MIN_ACCURACY


def test_a_docx_with_more_pictures_than_the_ocr_cap_says_how_many_were_read() -> None:
    import docx
    from PIL import Image, ImageDraw

    from pipeline.extraction.attachments.ocr_tables import MAX_OCR_PAGES

    pictures = []
    for index in range(MAX_OCR_PAGES + 1):
        image = Image.new("L", (400, 300), 255)  # each its own, or Word stores one part
        ImageDraw.Draw(image).point((index, 0), fill=0)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        pictures.append(buffer.getvalue())
    document = docx.Document()
    document.add_paragraph("某某局2023年政府信息公开工作年度报告")
    buffer = io.BytesIO()
    document.save(buffer)
    body = _with_pictures(buffer.getvalue(), pictures)
    report = extract_document(body, "http://127.0.0.1/files/report.docx", {})
    cap = f"OCR page cap: read {MAX_OCR_PAGES} of {MAX_OCR_PAGES + 1} pictures"
    assert cap in report.status_reason
