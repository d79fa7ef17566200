"""The one accounting identity that needs two reports: this year's 上年结转 = last year's 结转下年度.

`cross_year_checks` runs after loading (from `archive.publish.prepare_for_publishing`), because a
report's predecessor may be stored after it. For every current annual report with table 三 whose
agency also published a report for the year before, it stores one row per applicant column in
`checks`, rule `cross_year.carried_in.<col>`, severity "warning", on the LATER report: expected =
last year's apply.carried_out.<col>, printed = this year's apply.carried_in.<col>.

Every `cross_year.*` row is derived, so each run deletes them all and recomputes them: running it
twice gives the same rows, and a corrected or withdrawn report drops its stale verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlite_utils

from pipeline.extraction import keys

RULE_PREFIX = "cross_year.carried_in."
SEVERITY = "warning"
TOLERANCE = 1e-6

# Key ranges rather than GLOB, so SQLite walks the (report_id, key) primary key index.
_CANDIDATES = """
SELECT r.id, r.agency_id, r.year, r.published, coalesce(r.metric_count, 0) AS metric_count
FROM reports r
WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
  AND r.withdrawn_at IS NULL AND r.doc_type = 'annual_report'
  AND EXISTS (SELECT 1 FROM metrics m WHERE m.report_id = r.id
              AND m.key >= 'apply.carried_' AND m.key < 'apply.carried`')
"""


def _cells(db: sqlite_utils.Database, report_id: str, row: str) -> dict[str, tuple[Any, Any]]:
    """{column: (value, raw)} of one table 三 row of a report."""
    prefix = f"apply.{row}."
    return {
        item["key"][len(prefix) :]: (item["value"], item["raw"])
        for item in db.query(
            "SELECT key, value, raw FROM metrics WHERE report_id = ? AND key >= ? AND key < ?",
            [report_id, prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)],
        )
    }


def _best(reports: list[dict[str, Any]]) -> dict[str, Any]:
    # Several documents for one agency and year (a page and its PDF, say): the fullest one speaks
    # for the year, the id breaking ties so the choice is stable.
    return max(reports, key=lambda r: (r["metric_count"], r["published"] or "", r["id"]))


def _column_check(
    report_id: str, column: str, last: tuple[Any, Any] | None, this: tuple[Any, Any] | None
) -> dict[str, Any]:
    expected = last[0] if last else None
    printed = this[0] if this else None
    passed: int | None = None
    if expected is not None and printed is not None:
        passed = int(abs(expected - printed) <= TOLERANCE)
    detail = (
        f"{column}: 上年结转 {this[1] if this else '(none)'!s} = "
        f"last year's 结转下年度 {last[1] if last else '(none)'!s}"
    )
    return {
        "report_id": report_id,
        "rule": f"{RULE_PREFIX}{column}",
        "passed": passed,
        "expected": expected,
        "printed": printed,
        "detail": detail,
        "severity": SEVERITY,
    }


def cross_year_checks(db: sqlite_utils.Database) -> int:
    """Recompute every `cross_year.carried_in.*` check; returns how many rows were stored."""
    if not db.table("checks").exists() or not db.table("reports").exists():
        return 0
    by_agency_year: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in db.query(_CANDIDATES):
        by_agency_year[(row["agency_id"], row["year"])].append(row)
    rows: list[dict[str, Any]] = []
    for (agency_id, year), reports in sorted(by_agency_year.items()):
        previous = by_agency_year.get((agency_id, year - 1))
        if not previous:
            continue
        carried_out = _cells(db, _best(previous)["id"], "carried_out")
        for report in reports:
            carried_in = _cells(db, report["id"], "carried_in")
            if not carried_in or not carried_out:
                continue
            for column in keys.APPLY_COLUMNS:
                if column in carried_in or column in carried_out:
                    rows.append(
                        _column_check(
                            report["id"], column, carried_out.get(column), carried_in.get(column)
                        )
                    )
    with db.conn:
        stale = [
            row["report_id"]
            for row in db.query(
                "SELECT DISTINCT report_id FROM checks WHERE rule GLOB ?", [f"{RULE_PREFIX}*"]
            )
        ]
        db.execute("DELETE FROM checks WHERE rule GLOB ?", [f"{RULE_PREFIX}*"])
        db.table("checks").insert_all(rows, pk=("report_id", "rule"), replace=True)
        touched = sorted(set(stale) | {row["report_id"] for row in rows})
        # reports.failed_checks counts every failed check of a report, these warnings included.
        for report_id in touched:
            db.execute(
                "UPDATE reports SET failed_checks = (SELECT count(*) FROM checks c"
                " WHERE c.report_id = reports.id AND c.passed = 0) WHERE id = ?",
                [report_id],
            )
    return len(rows)
