"""The lxml DOCX reader (pipeline.extraction.attachments.docx_lxml) against python-docx: same rows, text and metrics.

python-docx (`read_docx_python_docx`) is the independent reference: every document below is read
both ways. Metrics are checked against the seed YAML (tests/test_extract.py builds those files).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_extract import TABLED_SEEDS, assert_metrics_match, render_docx, seed_id

from pipeline.extraction.attachments import read_docx, read_docx_python_docx
from pipeline.extraction.attachments.docx_lxml import read_docx_fast
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_OK
from portal.file_render import render_docx as render_synthetic_docx
from portal.synthetic import generate


def assert_same_reading(body: bytes) -> None:
    fast = read_docx_fast(body)
    assert fast is not None, "the fast reader fell back"
    slow = read_docx_python_docx(body)
    assert (fast.rows, fast.text, fast.tables_found) == (slow.rows, slow.text, slow.tables_found)


@pytest.mark.parametrize("spec", generate(4, seed=5), ids=lambda spec: spec.agency)
def test_synthetic_docx_reads_the_same_as_python_docx(spec) -> None:  # noqa: ANN001
    assert_same_reading(render_synthetic_docx(spec))


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_seed_docx_reads_the_same_as_python_docx(yaml_path: Path) -> None:
    assert_same_reading(render_docx(yaml_path))


def test_seed_docx_through_read_docx_gives_the_yaml_metrics() -> None:
    report = extract_document(render_docx(TABLED_SEEDS[0]), "http://127.0.0.1/a.docx", {})
    assert report.status == STATUS_OK
    assert_metrics_match(report, TABLED_SEEDS[0])


def _saved(document) -> bytes:  # noqa: ANN001
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_vertical_and_horizontal_merges_read_the_same_as_python_docx() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(3, 0)).text = "行政许可"
    table.cell(0, 1).merge(table.cell(0, 3)).text = "处理决定"
    table.cell(1, 1).merge(table.cell(2, 2)).text = "5"
    table.cell(3, 3).text = "7"
    body = _saved(document)
    assert_same_reading(body)
    assert read_docx_fast(body).rows[0] == ["行政许可", "处理决定"]


def test_breaks_tabs_and_hyperlink_runs_read_the_same_as_python_docx() -> None:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    paragraph = document.add_paragraph("第一行")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行\t末尾")
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    document.add_table(rows=1, cols=2).cell(0, 0).text = "甲\n乙"
    assert_same_reading(_saved(document))


def test_vertical_merge_with_nothing_above_is_left_to_python_docx() -> None:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    merge = table.cell(0, 0)._tc.get_or_add_tcPr().makeelement(qn("w:vMerge"), {})
    table.cell(0, 0)._tc.get_or_add_tcPr().append(merge)  # continues a merge from no row
    body = _saved(document)
    assert read_docx_fast(body) is None
    assert read_docx(body).problem == read_docx_python_docx(body).problem


def test_broken_zip_is_left_to_python_docx() -> None:
    assert read_docx_fast(b"PK\x03\x04broken") is None
    assert read_docx(b"PK\x03\x04broken").problem.startswith("unreadable DOCX")
