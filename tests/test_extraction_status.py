"""The extraction status tells the truth: `ok` only when every row of the template was read,
`partial` naming the rows that were not, `blank` for an unfilled form.

Ground truth: the rows the generator (`portal.tables`) was told to leave out, the generator's
metrics, and the seeds' hand-checked YAML; never the extractor's own tables.
"""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_BLANK, STATUS_OK, STATUS_PARTIAL, ExtractedReport
from portal.content import ReportSpec
from portal.file_render import render_docx
from portal.html_render import report_body
from portal.synthetic import generate

SPECS = generate(12, seed=5)
SPEC_2019 = next(spec for spec in SPECS if spec.template == "2019")
SPEC_2021 = next(spec for spec in SPECS if spec.template == "2021")
# Rows left out, in template order (what `missing_rows` must name).
OMISSIONS = {
    "2019": (SPEC_2019, ("active.coercion", "apply.denied.query", "apply.unprocessed.mass")),
    "2021": (
        SPEC_2021,
        ("active.penalty", "apply.unable.unclear", "review", "litigation.direct")
        + ("litigation.after_review",),
    ),
    # The row before （七）总计 gone: the numbered total is still read.
    "2019-before-total": (SPEC_2019, ("apply.carried_in", "apply.other")),
    "2021-before-total": (SPEC_2021, ("apply.other.no_fee", "apply.other.other")),
}


def html_page(spec: ReportSpec) -> bytes:
    body = report_body(spec, word_style=True)
    return f"<html><head><title>{spec.title}</title></head><body>{body}</body></html>".encode()


def extract_html(spec: ReportSpec) -> ExtractedReport:
    return extract_document(html_page(spec), "http://127.0.0.1/a.html", {})


def extract_docx(spec: ReportSpec) -> ExtractedReport:
    return extract_document(render_docx(spec), "http://127.0.0.1/a.docx", {})


EXTRACTORS = {"html": extract_html, "docx": extract_docx}


@pytest.mark.parametrize("fmt", EXTRACTORS)
@pytest.mark.parametrize("case", OMISSIONS)
def test_report_without_some_template_rows_is_partial_naming_exactly_them(
    case: str, fmt: str
) -> None:
    spec, omitted = OMISSIONS[case]
    report = EXTRACTORS[fmt](dataclasses.replace(spec, omitted_rows=frozenset(omitted)))
    assert (report.status, report.missing_rows) == (STATUS_PARTIAL, list(omitted))
    assert f"{len(omitted)} of 34 template rows not found" in report.status_reason


@pytest.mark.parametrize("case", OMISSIONS)
def test_rows_printed_beside_omitted_ones_keep_the_generator_values(case: str) -> None:
    spec, omitted = OMISSIONS[case]
    report = extract_html(dataclasses.replace(spec, omitted_rows=frozenset(omitted)))
    printed = {
        key: value
        for key, value in spec.metrics.items()
        if not any(key.startswith(f"{row}.") for row in omitted)
    }
    assert {key: report.value(key) for key in printed} == printed


@pytest.mark.parametrize("fmt", EXTRACTORS)
@pytest.mark.parametrize("spec", [SPEC_2019, SPEC_2021], ids=["2019", "2021"])
def test_complete_report_is_ok_with_no_missing_rows(spec: ReportSpec, fmt: str) -> None:
    report = EXTRACTORS[fmt](spec)
    assert (report.status, report.missing_rows, report.template) == (STATUS_OK, [], spec.template)


@pytest.mark.parametrize("fmt", EXTRACTORS)
@pytest.mark.parametrize("spec", [SPEC_2019, SPEC_2021], ids=["2019", "2021"])
def test_blank_template_is_blank_not_ok(spec: ReportSpec, fmt: str) -> None:
    blank = dataclasses.replace(spec, metrics=dict.fromkeys(spec.metrics))
    report = EXTRACTORS[fmt](blank)
    assert report.status == STATUS_BLANK
    assert "blank template" in report.status_reason


def test_template_printing_only_placeholders_is_ok_not_blank() -> None:
    dashes = dataclasses.replace(SPEC_2021, raw=dict.fromkeys(SPEC_2021.metrics, "—"))
    report = extract_html(dashes)
    assert report.status == STATUS_OK
    assert {metric.raw for metric in report.metrics.values()} == {"—"}
