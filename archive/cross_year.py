"""The checks that need two reports of one agency: this year's and last year's.

`cross_year_checks` runs after loading (from `archive.publish.prepare_for_publishing`), because a
report's predecessor may be stored after it. It pairs every current annual report with the
fullest current report of the same agency for the year before, and stores its rows in `checks`,
severity "warning", on the LATER report:

* `cross_year.carried_in.<col>`, per applicant column of table 三: this year's 上年结转 = last
  year's 结转下年度 (expected = last year's apply.carried_out.<col>, printed = this year's
  apply.carried_in.<col>). Only where both reports print the rows.
* `cross_year.in_force.rules`, `cross_year.in_force.normative` (2021 template, table 二): this
  year's 现行有效件数 = last year's + this year's 本年制发件数 − 本年废止件数, for every report that
  prints the row; unverifiable when there is no report for last year, when last year's prints no
  现行有效件数 (a 2019-template report), or when a cell is blank.
* `cross_year.repeated_prose`: the share of this report's prose sentences (`pipeline.extraction.
  sentences`) found word for word in last year's report, stored as `printed` (expected: the
  threshold); it fails above REPEATED_SHARE_LIMIT. Unverifiable without last year's report or
  without prose to compare. The share is also `report_summary.repeated_share`.

Every `cross_year.*` row is derived, so each run deletes them all and recomputes them: running it
twice gives the same rows, and a corrected or withdrawn report drops its stale verdicts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from archive.row_writes import replace_rows
from pipeline.extraction import keys
from pipeline.extraction.report import VERDICT_FAIL, verdict_of
from pipeline.extraction.sentences import prose_sentences, repeated_share

RULE_PREFIX = "cross_year."
CARRIED_IN_PREFIX = "cross_year.carried_in."
IN_FORCE_PREFIX = "cross_year.in_force."
REPEATED_PROSE = "cross_year.repeated_prose"
IN_FORCE_ROWS = ("rules", "normative")
SEVERITY = "warning"
TOLERANCE = 1e-6
# Template boilerplate (the legal preamble, the statistics period, 无 under 六) is a few sentences of
# a report's dozens, and a report that updates its account of the year changes most of the rest:
# more than four sentences in five unchanged means last year's prose was reissued.
REPEATED_SHARE_LIMIT = 0.8
_EXAMPLES = 3  # repeated sentences quoted as evidence
_EXAMPLE_CHARS = 80

_CANDIDATES = """
SELECT r.id, r.agency_id, r.year, r.published, coalesce(r.metric_count, 0) AS metric_count
FROM reports r
WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
  AND r.withdrawn_at IS NULL AND r.doc_type = 'annual_report'
"""


def _cells(db: sqlite_utils.Database, report_id: str, prefix: str) -> dict[str, tuple[Any, Any]]:
    """{key without `prefix`: (value, raw)} of a report's metrics under `prefix`."""
    # A key range rather than GLOB, so SQLite walks the (report_id, key) primary key index.
    # The connection's own cursor: publishing asks this tens of thousands of times, and
    # sqlite-utils' row dictionaries cost more than the look-up.
    return {
        key[len(prefix) :]: (value, raw)
        for key, value, raw in db.conn.execute(
            "SELECT key, value, raw FROM metrics WHERE report_id = ? AND key >= ? AND key < ?",
            [report_id, prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)],
        )
    }


def _best(reports: list[dict[str, Any]]) -> dict[str, Any]:
    # Several documents for one agency and year (a page and its PDF, say): the fullest one speaks
    # for the year, the id breaking ties so the choice is stable.
    return max(reports, key=lambda r: (r["metric_count"], r["published"] or "", r["id"]))


def _row(
    report_id: str,
    rule: str,
    passed: bool | None,
    expected: float | None,
    printed: float | None,
    detail: str,
    evidence: str,
) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "rule": rule,
        "passed": None if passed is None else int(passed),
        "expected": expected,
        "printed": printed,
        "detail": detail,
        "severity": SEVERITY,
        "verdict": verdict_of(passed),
        "evidence": evidence,
    }


def _shown(cell: tuple[Any, Any] | None) -> str:
    if cell is None:
        return "(none)"
    value, raw = cell
    if raw not in (None, ""):
        return str(raw)
    return "（空）" if value is None else f"{value:g}"


def _carried_in_rows(
    report_id: str, carried_out: dict[str, tuple[Any, Any]], carried_in: dict[str, tuple[Any, Any]]
) -> Iterator[dict[str, Any]]:
    for column in keys.APPLY_COLUMNS:
        if column not in carried_in and column not in carried_out:
            continue
        last, this = carried_out.get(column), carried_in.get(column)
        expected = last[0] if last else None
        printed = this[0] if this else None
        passed = None
        if expected is not None and printed is not None:
            passed = abs(expected - printed) <= TOLERANCE
        evidence = f"{column}: 上年结转 {_shown(this)} = last year's 结转下年度 {_shown(last)}"
        yield _row(
            report_id,
            f"{CARRIED_IN_PREFIX}{column}",
            passed,
            expected,
            printed,
            evidence,
            evidence,
        )


def _in_force_rows(
    report_id: str, this: dict[str, tuple[Any, Any]], last: dict[str, tuple[Any, Any]] | None
) -> Iterator[dict[str, Any]]:
    """One row per table 二 row (规章, 行政规范性文件) whose 现行有效件数 this report prints."""
    for row in IN_FORCE_ROWS:
        in_force = this.get(f"{row}.in_force")
        if in_force is None:
            continue
        issued, repealed = this.get(f"{row}.issued"), this.get(f"{row}.repealed")
        before = last.get(f"{row}.in_force") if last is not None else None
        evidence = (
            f"last year's 现行有效件数 {_shown(before)} + 本年制发件数 {_shown(issued)}"
            f" − 本年废止件数 {_shown(repealed)}; printed 现行有效件数 {_shown(in_force)}"
        )
        detail = f"{row}: 现行有效件数 = last year's + 本年制发 − 本年废止"
        values: list[Any] = [cell[0] if cell else None for cell in (before, issued, repealed)]
        expected: float | None = None
        passed: bool | None = None
        if last is None:
            detail += "; no report for last year"
        elif before is None:
            detail += "; last year's report prints no 现行有效件数"
        elif None in values or in_force[0] is None:
            detail += "; a cell is blank"
        else:
            expected = values[0] + values[1] - values[2]
            passed = abs(expected - in_force[0]) <= TOLERANCE
        yield _row(
            report_id,
            f"{IN_FORCE_PREFIX}{row}",
            passed,
            expected,
            in_force[0],
            detail,
            evidence,
        )


def _repeated_prose_row(
    report_id: str, sentences: list[str], earlier: tuple[str, list[str]] | None
) -> dict[str, Any]:
    limit = REPEATED_SHARE_LIMIT
    if earlier is None:
        detail = "no report for last year"
        return _row(report_id, REPEATED_PROSE, None, limit, None, detail, "")
    earlier_id, earlier_sentences = earlier
    share = repeated_share(sentences, earlier_sentences)
    if share is None:
        detail = "no prose sentences to compare"
        return _row(report_id, REPEATED_PROSE, None, limit, None, detail, "")
    distinct = set(sentences)
    repeated = [s for s in dict.fromkeys(sentences) if s in set(earlier_sentences)]
    evidence = json.dumps(
        {
            "last_year_report": earlier_id,
            "sentences": len(distinct),
            "repeated": len(repeated),
            "examples": [s[:_EXAMPLE_CHARS] for s in repeated[:_EXAMPLES]],
        },
        ensure_ascii=False,
    )
    detail = (
        f"{len(repeated)} of {len(distinct)} sentences as in last year's report"
        f" (share {share:.2f}, limit {limit:g})"
    )
    return _row(report_id, REPEATED_PROSE, share <= limit, limit, share, detail, evidence)


class _Sentences:
    """Prose sentences by report id, each report's text read and cut once; one agency at a time."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db
        self._cache: dict[str, list[str]] = {}

    def __call__(self, report_id: str) -> list[str]:
        if report_id not in self._cache:
            found = self._db.execute("SELECT text FROM reports WHERE id = ?", [report_id])
            text = (found.fetchone() or [None])[0]
            self._cache[report_id] = prose_sentences(text or "")
        return self._cache[report_id]

    def forget_all_but(self, report_ids: set[str]) -> None:
        self._cache = {k: v for k, v in self._cache.items() if k in report_ids}


def _rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    by_agency_year: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in db.query(_CANDIDATES):
        by_agency_year[(row["agency_id"], row["year"])].append(row)
    sentences = _Sentences(db)
    rows: list[dict[str, Any]] = []
    for (agency_id, year), reports in sorted(by_agency_year.items()):
        previous = by_agency_year.get((agency_id, year - 1))
        last = _best(previous) if previous else None
        # Groups come in year order per agency: this year's reports are next year's `last`.
        sentences.forget_all_but({r["id"] for r in reports} | ({last["id"]} if last else set()))
        carried_out = _cells(db, last["id"], "apply.carried_out.") if last else {}
        last_active = _cells(db, last["id"], "active.") if last else None
        for report in reports:
            if carried_out:
                carried_in = _cells(db, report["id"], "apply.carried_in.")
                if carried_in:
                    rows.extend(_carried_in_rows(report["id"], carried_out, carried_in))
            rows.extend(
                _in_force_rows(report["id"], _cells(db, report["id"], "active."), last_active)
            )
            earlier = (last["id"], sentences(last["id"])) if last else None
            rows.append(_repeated_prose_row(report["id"], sentences(report["id"]), earlier))
    return rows


def cross_year_checks(db: sqlite_utils.Database) -> int:
    """Recompute every `cross_year.*` check; returns how many rows were stored."""
    if not db.table("checks").exists() or not db.table("reports").exists():
        return 0
    rows = _rows(db)
    with db.conn:
        stale = [
            row["report_id"]
            for row in db.query(
                "SELECT DISTINCT report_id FROM checks WHERE rule GLOB ?", [f"{RULE_PREFIX}*"]
            )
        ]
        db.execute("DELETE FROM checks WHERE rule GLOB ?", [f"{RULE_PREFIX}*"])
        replace_rows(db, "checks", rows, pk=("report_id", "rule"))
        touched = set(stale) | {row["report_id"] for row in rows}
        # reports.failed_checks counts every failed check of a report, these warnings included;
        # an unverifiable one is not a failure. Only counts that changed are written: a report
        # row carries its whole text, and rewriting every one on every publish cost seconds per
        # thousand reports.
        failed = dict(
            db.execute(
                "SELECT report_id, count(*) FROM checks WHERE verdict = ? GROUP BY report_id",
                [VERDICT_FAIL],
            ).fetchall()
        )
        stored = dict(db.execute("SELECT id, failed_checks FROM reports").fetchall())
        db.conn.executemany(
            "UPDATE reports SET failed_checks = ? WHERE id = ?",
            [
                (failed.get(report_id, 0), report_id)
                for report_id in sorted(touched)
                if stored.get(report_id, 0) != failed.get(report_id, 0)
            ],
        )
    return len(rows)
