"""Real reports, as agencies published them, read by `nianbao extract`'s entry against hand-checked truth.

The fixtures are real report pages saved by others in public repositories (provenance in
`tests/fixtures/real/README.md`); their truth files (`*.truth.yaml`) were read cell by cell from the
documents by hand, never from the extractor's output. Every hand-checked cell must be read as
printed (a blank cell: read, and blank), the report's status must be the one the truth expects
(`ok` only when every row of the template is there), and the checks the truth names must reach the
verdicts a reader of the document reaches.
"""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from real_accuracy import RealReport, extract, load_real_reports, wrong_cells  # noqa: E402

from pipeline.extraction.keys import APPLY_COLUMNS, TEMPLATE_KEYS  # noqa: E402
from pipeline.extraction.report import STATUS_OK  # noqa: E402

REPORTS = load_real_reports()


def _ids(report: RealReport) -> str:
    return report.name


def test_the_real_corpus_is_found() -> None:
    assert len(REPORTS) >= 1
    assert all(report.body for report in REPORTS)


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_truth_covers_its_template(report: RealReport) -> None:
    # A truth file that leaves cells out would let a wrong read pass unseen.
    if report.truth.get("tables") == "absent":
        assert report.cells == {}
    else:
        assert set(report.cells) == set(TEMPLATE_KEYS[str(report.truth["template"])])


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_truth_keeps_the_accounting_identities(report: RealReport) -> None:
    # The hand reading checked against the table's own sums (a blank counts as 0), except where
    # the truth records that the document itself breaks one.
    cells = {key: value or 0.0 for key, value in report.cells.items()}
    if not cells:
        return
    broken = set(report.truth.get("broken_identities") or ())
    for column in APPLY_COLUMNS:
        rule = f"apply.balance.{column}"
        if rule not in broken:
            incoming = cells[f"apply.new.{column}"] + cells[f"apply.carried_in.{column}"]
            outgoing = cells[f"apply.total.{column}"] + cells[f"apply.carried_out.{column}"]
            assert incoming == outgoing, rule


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_cells_equal_hand_checked_truth(report: RealReport) -> None:
    assert wrong_cells(report, extract(report)) == {}


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_status_and_metadata(report: RealReport) -> None:
    read = extract(report)
    truth = report.truth
    assert (read.status, read.template, read.year, read.agency) == (
        truth["status"],
        str(truth["template"]),
        truth["year"],
        truth["agency"],
    )
    if read.status == STATUS_OK:
        assert read.missing_rows == []
    elif "missing_rows" in truth:
        assert read.missing_rows == truth["missing_rows"]


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_checks_reach_the_readers_verdicts(report: RealReport) -> None:
    expected = report.truth.get("checks") or {}
    verdicts = {check.rule: check.verdict for check in extract(report).checks}
    assert {rule: verdicts.get(rule) for rule in expected} == expected
