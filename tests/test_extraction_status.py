"""The extraction status tells the truth: `ok` only when every row of the template was read,
`partial` naming the rows that were not, `blank` for an unfilled form; and look-alike ideographs
(Kangxi radicals, CJK compatibility ideographs) read as the ordinary characters.

Ground truth: the rows the generator (`portal.tables`) was told to leave out, the generator's
metrics, and the seeds' hand-checked YAML; never the extractor's own tables.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_extract import TABLED_SEEDS, TEXT_HEADERS, assert_metrics_match, seed_id

from nianbao.cli import cli
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_BLANK, STATUS_OK, STATUS_PARTIAL, ExtractedReport
from portal.content import SEEDS_DIR, ReportSpec, load_seed_truth
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


# Each ordinary ideograph that has a look-alike, mapped to one: built here from Unicode's own
# decompositions, not from the extractor's table.
_LOOKALIKE_OF: dict[str, str] = {}
for _code in [*range(0x2F00, 0x2FD6), *range(0xF900, 0xFB00)]:
    _folded = unicodedata.normalize("NFKC", chr(_code))
    if len(_folded) == 1 and _folded != chr(_code):
        _LOOKALIKE_OF.setdefault(_folded, chr(_code))


def with_lookalikes(text: str) -> str:
    return "".join(_LOOKALIKE_OF.get(character, character) for character in text)


def test_seed_rewrite_really_uses_kangxi_radicals() -> None:
    text = (SEEDS_DIR / "000_78fa2b2d43082721.txt").read_text(encoding="utf-8")
    rewritten = with_lookalikes(text)
    assert "\u2f46" in rewritten and "\u2f8f" in rewritten  # ⽆ for 无, ⾏ for 行
    assert "行政" not in rewritten


@pytest.mark.parametrize("yaml_path", TABLED_SEEDS, ids=seed_id)
def test_seed_with_lookalike_ideographs_reads_the_yaml_metrics_and_metadata(
    yaml_path: Path,
) -> None:
    truth = load_seed_truth(yaml_path)
    text = (SEEDS_DIR / truth["seed"]).read_text(encoding="utf-8")
    body = with_lookalikes(text).encode("utf-8")
    report = extract_document(body, f"http://127.0.0.1/{truth['seed']}", TEXT_HEADERS)
    assert (report.status, report.agency, report.year, report.doc_type) == (
        STATUS_OK,
        truth["agency"],
        truth["year"],
        truth["doc_type"],
    )
    assert_metrics_match(report, yaml_path)


def test_self_inspection_seed_with_lookalike_ideographs_gives_its_yaml_facts_and_kind() -> None:
    yaml_path = SEEDS_DIR / "004_8a63b8e5a75db88e.yaml"
    truth = load_seed_truth(yaml_path)
    text = (SEEDS_DIR / truth["seed"]).read_text(encoding="utf-8")
    body = with_lookalikes(text).encode("utf-8")
    report = extract_document(body, "http://127.0.0.1/004.txt", TEXT_HEADERS)
    assert (report.doc_type, report.agency, report.year) == (
        truth["doc_type"],
        truth["agency"],
        truth["year"],
    )
    found = {(fact.kind, fact.value) for fact in report.facts}
    assert {(kind, float(value)) for kind, value in truth["facts"].items()} <= found


def test_kangxi_wu_in_a_cell_is_the_placeholder_and_full_width_digits_still_read() -> None:
    raw = {"active.licensing.decisions": "\u2f46", "active.fees.amount": "１２．５万元"}
    report = extract_html(dataclasses.replace(SPEC_2021, raw=raw))
    assert report.value("active.licensing.decisions") is None
    assert report.metrics["active.licensing.decisions"].raw == "无"
    assert report.value("active.fees.amount") == 12.5
    assert report.metrics["active.fees.amount"].raw == "１２．５万元"


def test_nianbao_extract_lists_the_missing_rows_with_their_printed_labels(tmp_path: Path) -> None:
    spec, omitted = OMISSIONS["2019"]
    path = tmp_path / "report.html"
    path.write_bytes(html_page(dataclasses.replace(spec, omitted_rows=frozenset(omitted))))
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    assert "status    partial 3 of 34 template rows not found" in result.output
    lines = result.output.splitlines()
    start = lines.index("missing   3 template rows not found")
    assert lines[start + 1 : start + 4] == [
        "  - 表二 行政强制 (active.coercion)",
        "  - 表三 （三）不予公开 8.属于行政查询事项 (apply.denied.query)",
        "  - 表三 （五）不予处理 4.无正当理由大量反复申请 (apply.unprocessed.mass)",
    ]
