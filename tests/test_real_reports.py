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

from pipeline.extraction.keys import (  # noqa: E402
    APPLY_COLUMNS,
    PRE2019_KEYS,
    TEMPLATE_KEYS,
    TEMPLATE_PRE2019,
    TEMPLATE_ROWS,
)
from pipeline.extraction.report import (  # noqa: E402
    STATUS_IMAGE_ONLY,
    STATUS_NO_TABLES,
    STATUS_OK,
)

REPORTS = load_real_reports()
_NO_TABLE_STATUSES = {STATUS_NO_TABLES, STATUS_IMAGE_ONLY}


def _ids(report: RealReport) -> str:
    return report.name


def test_the_real_corpus_is_found() -> None:
    assert len(REPORTS) >= 1
    assert all(report.body for report in REPORTS)


def test_the_real_corpus_holds_both_templates_and_forms() -> None:
    # accuracy_real is only worth its name while the corpus spans what agencies publish: reports in
    # the 2019 and the 2021 template, as web pages and as text copied out of a PDF.
    assert {str(report.truth["template"]) for report in REPORTS} >= {"2019", "2021"}
    assert {report.truth.get("format", "html") for report in REPORTS} >= {"html", "text"}


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_truth_covers_its_template(report: RealReport) -> None:
    # A truth file that leaves cells out would let a wrong read pass unseen: it gives every cell
    # of the template, or (a truncated document) every cell of the rows it holds and names the
    # rows it does not.
    template = str(report.truth["template"])
    rows = {key.rsplit(".", 1)[0] for key in report.cells}
    if template == TEMPLATE_PRE2019:
        # The old 统计表 had no fixed rows: the truth claims the indicators the table printed,
        # and those are pre2019 keys (a misspelt key would otherwise check nothing).
        assert report.cells and set(report.cells) <= set(PRE2019_KEYS)
    elif report.truth["status"] in _NO_TABLE_STATUSES:
        # The page prints no table (the report is an attachment, or its tables are pictures):
        # no cell can be read from it, so none is claimed.
        assert not report.cells
    elif report.truth.get("truncated"):
        assert rows | set(report.truth["missing_rows"]) == set(TEMPLATE_ROWS[template])
        assert not rows & set(report.truth["missing_rows"])
    else:
        assert set(report.cells) == set(TEMPLATE_KEYS[template])


@pytest.mark.parametrize("report", REPORTS, ids=_ids)
def test_real_report_truth_keeps_the_accounting_identities(report: RealReport) -> None:
    # The hand reading checked against the table's own sums (a blank part counts as 0): every
    # printed 总计 of table 三 is its row's six columns, and (a whole table) every column balances.
    cells = report.cells
    if not cells or str(report.truth["template"]) not in TEMPLATE_KEYS:
        return
    rows = {key.rsplit(".", 1)[0] for key in cells if key.startswith("apply.")}
    for row in rows:
        total = cells[f"{row}.total"]
        if total is not None:
            parts = [cells[f"{row}.{column}"] or 0.0 for column in APPLY_COLUMNS[:-1]]
            assert sum(parts) == total, row
    if report.truth.get("truncated"):
        return
    for column in APPLY_COLUMNS:
        incoming = (cells[f"apply.new.{column}"] or 0) + (cells[f"apply.carried_in.{column}"] or 0)
        outgoing = (cells[f"apply.total.{column}"] or 0) + (
            cells[f"apply.carried_out.{column}"] or 0
        )
        assert incoming == outgoing, column


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


@pytest.mark.parametrize(
    "report", [report for report in REPORTS if "attachments" in report.truth], ids=_ids
)
def test_real_report_names_the_attachments_its_page_links(report: RealReport) -> None:
    # A page whose report is an attached file must hand the crawler that file: the attachment is
    # where the tables are, and losing the link would lose the report silently.
    assert extract(report).attachments == report.truth["attachments"]
