"""Legacy Word (.doc, .wps, RTF) read through LibreOffice: the same metrics as the DOCX it came from.

The test material is made here by LibreOffice itself (the `office` session fixture's converter
turns DOCX into Word 97 or RTF) from documents whose truth is independent of the extractor: the
seeds' hand-checked YAML (rendered by tests/test_extract.py) and the sample portal's synthetic
reports (their generator's metrics).
"""

from __future__ import annotations

import io
import os
import sys

import pytest
from test_extract import TABLED_SEEDS, assert_metrics_match, render_docx
from test_extract_formats import FIXTURES

from pipeline.extraction.attachments import read_legacy_word
from pipeline.extraction.attachments.office_converter import (
    MAX_LEGACY_WORD_BYTES,
    OfficeConverter,
)
from pipeline.extraction.attachments.office_converter import OfficeConverter as Converter
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_FAILED, STATUS_OK
from portal.file_render import render_docx as render_synthetic_docx
from portal.synthetic import generate

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

MSWORD = "application/msword"


def ends_with_a_paragraph(docx_body: bytes) -> bytes:
    """The DOCX with a last empty paragraph, as Word always writes one after the last table.

    python-docx can end a body with a table; LibreOffice's Word 97 export then drops that table's
    row structure (its cells come back as one paragraph), which no file saved by Word shows.
    """
    import docx

    document = docx.Document(io.BytesIO(docx_body))
    document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def legacy(office: Converter, docx_body: bytes, to: str = "doc") -> bytes:
    """The DOCX saved by LibreOffice as Word 97 (or RTF)."""
    conversion = office.convert(ends_with_a_paragraph(docx_body), to=to)
    assert conversion.output is not None, conversion.problem
    return conversion.output


@pytest.fixture(scope="module")
def seed_docx() -> bytes:
    """The first tabled seed as DOCX (test_extract reads every seed's DOCX)."""
    return render_docx(TABLED_SEEDS[0])


@pytest.fixture(scope="module")
def seed_doc(office: Converter, seed_docx: bytes) -> bytes:
    return legacy(office, seed_docx)


def test_doc_made_from_a_seed_gives_the_yaml_metrics(seed_doc: bytes) -> None:
    report = extract_document(seed_doc, "http://127.0.0.1/files/2020nb.doc", {})
    assert (report.status, report.content_type) == (STATUS_OK, MSWORD), report.status_reason
    assert_metrics_match(report, TABLED_SEEDS[0])


def test_doc_of_a_2021_template_report_gives_the_generator_metrics(office: Converter) -> None:
    spec = next(spec for spec in generate(4, seed=5) if spec.template == "2021")
    body = legacy(office, render_synthetic_docx(spec))
    report = extract_document(body, "http://127.0.0.1/files/nb.doc", {})
    assert (report.status, report.template, report.year) == (STATUS_OK, "2021", spec.year)
    read = {key: report.metrics[key].value for key in spec.metrics if key in report.metrics}
    assert read == spec.metrics


def test_doc_behind_a_download_url_with_a_lying_content_type_is_read(seed_doc: bytes) -> None:
    headers = {"Content-Type": "application/vnd.ms-excel"}
    report = extract_document(seed_doc, "http://127.0.0.1/download.jsp?id=4", headers)
    assert (report.status, report.content_type) == (STATUS_OK, MSWORD)
    assert_metrics_match(report, TABLED_SEEDS[0])


def test_wps_named_file_is_read_like_the_doc_it_contains(seed_doc: bytes) -> None:
    # Kingsoft WPS Writer files are Word 97 containers (a WordDocument stream) under .wps.
    report = extract_document(seed_doc, "http://127.0.0.1/files/2020nb.wps", {})
    assert report.status == STATUS_OK
    assert_metrics_match(report, TABLED_SEEDS[0])


def test_xls_named_doc_is_still_read_as_excel() -> None:
    body = (FIXTURES / "seed_001_tables.xls").read_bytes()
    report = extract_document(body, "http://127.0.0.1/files/nb.doc", {"Content-Type": MSWORD})
    assert (report.status, report.content_type) == (STATUS_OK, "application/vnd.ms-excel")


def test_rtf_named_doc_gives_the_yaml_metrics(office: Converter, seed_docx: bytes) -> None:
    body = legacy(office, seed_docx, to="rtf")
    report = extract_document(body, "http://127.0.0.1/files/2020nb.doc", {"Content-Type": MSWORD})
    assert report.status == STATUS_OK, report.status_reason
    assert_metrics_match(report, TABLED_SEEDS[0])


def test_truncated_doc_fails_with_a_reason(office: Converter, seed_doc: bytes) -> None:
    report = extract_document(seed_doc[: len(seed_doc) // 2], "http://127.0.0.1/nb.doc", {})
    assert report.status == STATUS_FAILED
    assert "unreadable document" in report.status_reason
    assert report.metrics == {}


def test_text_named_doc_is_not_taken_for_a_word_document(office: Converter) -> None:
    # LibreOffice opens anything as plain text; only Word/WPS/RTF filters count.
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "这不是文档".encode() * 200
    report = extract_document(body, "http://127.0.0.1/nb.doc", {})
    assert report.status == STATUS_FAILED and "not converted" in report.status_reason


def test_second_document_reuses_the_running_converter(office: Converter, seed_doc: bytes) -> None:
    starts, pid = office.starts, office.pid
    for _ in range(2):
        assert extract_document(seed_doc, "http://127.0.0.1/nb.doc", {}).status == STATUS_OK
    assert (office.starts, office.pid) == (starts, pid)


@pytest.fixture(scope="module")
def timed_out(office: Converter, seed_doc: bytes) -> tuple[OfficeConverter, str | None]:
    """A converter of its own whose first document times out."""
    converter = OfficeConverter(timeout=0.001)
    problem = read_legacy_word(seed_doc, converter).problem
    yield converter, problem
    converter.close()


def test_conversion_timeout_is_a_problem_naming_it(timed_out: tuple) -> None:
    _, problem = timed_out
    assert problem is not None and "timed out after 0.001 s" in problem


def test_timed_out_converter_is_replaced_by_a_new_process(
    timed_out: tuple, seed_doc: bytes
) -> None:
    converter, _ = timed_out
    converter.timeout = 30
    assert converter.pid is None  # the late one was killed
    content = read_legacy_word(seed_doc, converter)
    assert content.problem is None and content.rows
    assert converter.starts == 2


def test_oversized_doc_fails_without_starting_libreoffice() -> None:
    converter = OfficeConverter()
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * MAX_LEGACY_WORD_BYTES
    content = read_legacy_word(body, converter)
    assert content.problem is not None and "too large" in content.problem
    assert converter.starts == 0


def test_missing_libreoffice_names_the_package_to_install(seed_doc: bytes) -> None:
    converter = OfficeConverter(soffice="/nonexistent/soffice")
    problem = read_legacy_word(seed_doc, converter).problem
    assert problem is not None and "libreoffice-writer-nogui" in problem


def test_python_without_uno_names_the_package_to_install(seed_doc: bytes) -> None:
    # The venv's own interpreter has no `uno` module: a real python3 without python3-uno.
    assert os.path.exists(sys.executable)
    converter = OfficeConverter(pythons=(sys.executable,))
    problem = read_legacy_word(seed_doc, converter).problem
    converter.close()
    assert problem is not None and "python3-uno" in problem
