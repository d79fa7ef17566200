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

Every `cross_year.*` row is derived from the two reports' rows alone, so a run recomputes only the
agencies whose reports changed since the last run and leaves the others' rows as they are; the
result is the same as deleting every row and recomputing them all (`full=True`, and the first
run on a database). An agency is recomputed, its stale rows deleted, when one of its reports:

* has no `cross_year.repeated_prose` row: every current report gets one, and storing a report
  (`archive.store.store_report`, a crawl, a load, a rebuild) deletes its checks with it, so a
  report stored since the last run has none;
* is not as the last run saw it in `cross_year_state` (one row per report it paired: agency,
  year, published, metric count, the reports row's rowid, which an INSERT OR REPLACE changes):
  a report withdrawn or reinstated, moved to another agency (both agencies), or gone.

Running it twice gives the same rows, and a corrected or withdrawn report drops its stale verdicts.
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
_BATCH = 500  # report ids per IN (...) look-up

STATE_TABLE = "cross_year_state"
_STATE_COLUMNS = ("agency_id", "year", "published", "metric_count", "row")

_CANDIDATES = """
SELECT r.id, r.agency_id, r.year, r.published, coalesce(r.metric_count, 0) AS metric_count,
       r.rowid AS row
FROM reports r
WHERE r.agency_id IS NOT NULL AND r.year IS NOT NULL
  AND r.withdrawn_at IS NULL AND r.doc_type = 'annual_report'
"""


def _key_range(prefix: str) -> tuple[str, str]:
    """The keys starting with `prefix` as a range (>= first, < second): a walk of an index on key,
    not a GLOB over every key."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _cells(db: sqlite_utils.Database, report_id: str, prefix: str) -> dict[str, tuple[Any, Any]]:
    """{key without `prefix`: (value, raw)} of a report's metrics under `prefix`."""
    # A key range on the (report_id, key) primary key. The connection's own cursor: publishing
    # asks this for every changed report, and sqlite-utils' row dictionaries cost more than the
    # look-up.
    return {
        key[len(prefix) :]: (value, raw)
        for key, value, raw in db.conn.execute(
            "SELECT key, value, raw FROM metrics WHERE report_id = ? AND key >= ? AND key < ?",
            [report_id, *_key_range(prefix)],
        )
    }


class _Cells:
    """`_cells`, for every report at once when all agencies are recomputed (a rebuild, a first
    publish): one scan of the metrics instead of three queries per report (8,197 queries were a
    third of the checks' time on 2,666 reports); report by report when only some agencies
    changed."""

    PREFIXES = ("apply.carried_out.", "apply.carried_in.", "active.")

    def __init__(self, db: sqlite_utils.Database, every_report: bool) -> None:
        self._db = db
        self._all: dict[str, dict[str, dict[str, tuple[Any, Any]]]] | None = None
        if every_report:
            self._all = {prefix: defaultdict(dict) for prefix in self.PREFIXES}
            # One scan of the table for the three key ranges: through the (key, value) index,
            # each of the ≈ 20 cells a report has under them cost a look-up of its row (1.4 s
            # against 0.55 s for 13,333 reports).
            ranges = " OR ".join("(key >= ? AND key < ?)" for _ in self.PREFIXES)
            bounds = [bound for prefix in self.PREFIXES for bound in _key_range(prefix)]
            by_prefix = [(prefix, len(prefix), self._all[prefix]) for prefix in self.PREFIXES]
            for report_id, key, value, raw in db.conn.execute(
                f"SELECT report_id, key, value, raw FROM metrics NOT INDEXED WHERE {ranges}",
                bounds,
            ):
                for prefix, start, by_report in by_prefix:
                    if key.startswith(prefix):
                        by_report[report_id][key[start:]] = (value, raw)
                        break

    def __call__(self, report_id: str, prefix: str) -> dict[str, tuple[Any, Any]]:
        if self._all is None:
            return _cells(self._db, report_id, prefix)
        return self._all[prefix].get(report_id, {})


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
            found = self._db.conn.execute("SELECT text FROM reports WHERE id = ?", [report_id])
            text = (found.fetchone() or [None])[0]
            self._cache[report_id] = prose_sentences(text or "")
        return self._cache[report_id]

    def forget_all_but(self, report_ids: set[str]) -> None:
        self._cache = {k: v for k, v in self._cache.items() if k in report_ids}


def _rows(
    db: sqlite_utils.Database,
    by_agency_year: dict[tuple[str, int], list[dict[str, Any]]],
    agencies: set[str] | None,
) -> list[dict[str, Any]]:
    """The rows of every agency in `agencies` (None: all of them)."""
    sentences = _Sentences(db)
    cells = _Cells(db, every_report=agencies is None)
    rows: list[dict[str, Any]] = []
    for (agency_id, year), reports in sorted(by_agency_year.items()):
        if agencies is not None and agency_id not in agencies:
            continue
        previous = by_agency_year.get((agency_id, year - 1))
        last = _best(previous) if previous else None
        # Groups come in year order per agency: this year's reports are next year's `last`.
        sentences.forget_all_but({r["id"] for r in reports} | ({last["id"]} if last else set()))
        carried_out = cells(last["id"], "apply.carried_out.") if last else {}
        last_active = cells(last["id"], "active.") if last else None
        for report in reports:
            if carried_out:
                carried_in = cells(report["id"], "apply.carried_in.")
                if carried_in:
                    rows.extend(_carried_in_rows(report["id"], carried_out, carried_in))
            rows.extend(_in_force_rows(report["id"], cells(report["id"], "active."), last_active))
            # Without last year's report there is nothing to compare: the text is not cut.
            earlier = (last["id"], sentences(last["id"])) if last else None
            mine = sentences(report["id"]) if earlier else []
            rows.append(_repeated_prose_row(report["id"], mine, earlier))
    return rows


def _state(db: sqlite_utils.Database) -> dict[str, tuple[Any, ...]] | None:
    """What the last run saw of each report it paired, or None before the first run."""
    if not db.table(STATE_TABLE).exists():
        return None
    columns = ", ".join(f"[{column}]" for column in _STATE_COLUMNS)
    return {
        report_id: tuple(values)
        for report_id, *values in db.execute(f"SELECT report_id, {columns} FROM [{STATE_TABLE}]")
    }


def _seen(report: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(report[column] for column in _STATE_COLUMNS)


def _changed_agencies(
    db: sqlite_utils.Database,
    candidates: list[dict[str, Any]],
    state: dict[str, tuple[Any, ...]],
) -> set[str]:
    """The agencies with a report stored, withdrawn, reinstated, moved or gone since the last run."""
    # Probed through the (report_id, rule) primary key: no scan of the checks table.
    unchecked = {
        report_id
        for (report_id,) in db.execute(
            "SELECT r.id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM checks c"
            " WHERE c.report_id = r.id AND c.rule = ?)",
            [REPEATED_PROSE],
        )
    }
    changed: set[str] = set()
    current: set[str] = set()
    for report in candidates:
        current.add(report["id"])
        seen = state.get(report["id"])
        if report["id"] in unchecked or seen != _seen(report):
            changed.add(report["agency_id"])
            if seen is not None:
                changed.add(seen[0])
    changed.update(seen[0] for report_id, seen in state.items() if report_id not in current)
    return changed


def _write_state(
    db: sqlite_utils.Database, candidates: list[dict[str, Any]], report_ids: list[str]
) -> None:
    """Replace the state of `report_ids` (those recomputed) by what this run saw."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS [{STATE_TABLE}] (report_id TEXT PRIMARY KEY, agency_id TEXT,"
        " year INTEGER, published TEXT, metric_count INTEGER, row INTEGER)"
    )
    db.conn.executemany(
        f"DELETE FROM [{STATE_TABLE}] WHERE report_id = ?", [(rid,) for rid in report_ids]
    )
    db.conn.executemany(
        f"INSERT INTO [{STATE_TABLE}] (report_id, {', '.join(_STATE_COLUMNS)})"
        f" VALUES (?{', ?' * len(_STATE_COLUMNS)})",
        [(report["id"], *_seen(report)) for report in candidates],
    )


def cross_year_checks(db: sqlite_utils.Database, *, full: bool = False) -> int:
    """Recompute the `cross_year.*` checks of every agency whose reports changed since the last
    run (`full`: of every agency); returns how many rows this run stored (0: nothing changed)."""
    if not db.table("checks").exists() or not db.table("reports").exists():
        return 0
    candidates = list(db.query(_CANDIDATES))
    by_agency_year: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for report in candidates:
        by_agency_year[(report["agency_id"], report["year"])].append(report)
    state = None if full else _state(db)
    agencies = None if state is None else _changed_agencies(db, candidates, state)
    if agencies is not None and not agencies:
        return 0
    rows = _rows(db, by_agency_year, agencies)
    recomputed = [r for r in candidates if agencies is None or r["agency_id"] in agencies]
    with db.conn:
        if agencies is None:
            stale = [
                row["report_id"]
                for row in db.query(
                    "SELECT DISTINCT report_id FROM checks WHERE rule GLOB ?", [f"{RULE_PREFIX}*"]
                )
            ]
            db.execute("DELETE FROM checks WHERE rule GLOB ?", [f"{RULE_PREFIX}*"])
            db.execute(f"DROP TABLE IF EXISTS [{STATE_TABLE}]")
        else:
            # The recomputed agencies' reports as they are now and as the last run saw them.
            stale = [r["id"] for r in recomputed]
            stale += [rid for rid, seen in (state or {}).items() if seen[0] in agencies]
            _delete_cross_year_rows(db, stale)
        replace_rows(db, "checks", rows, pk=("report_id", "rule"))
        _write_state(db, recomputed, stale)
        touched = set(stale) | {row["report_id"] for row in rows}
        # reports.failed_checks counts every failed check of a report, these warnings included;
        # an unverifiable one is not a failure. Only counts that changed are written: a report
        # row carries its whole text, and rewriting every one on every publish cost seconds per
        # thousand reports.
        _update_failed_counts(db, touched)
    return len(rows)


def _delete_cross_year_rows(db: sqlite_utils.Database, report_ids: list[str]) -> None:
    # A key range per report on the (report_id, rule) primary key, not a scan for the rule.
    end = RULE_PREFIX[:-1] + chr(ord(RULE_PREFIX[-1]) + 1)
    db.conn.executemany(
        "DELETE FROM checks WHERE report_id = ? AND rule >= ? AND rule < ?",
        [(rid, RULE_PREFIX, end) for rid in dict.fromkeys(report_ids)],
    )


def _update_failed_counts(db: sqlite_utils.Database, report_ids: set[str]) -> None:
    """Set reports.failed_checks of `report_ids` to their failed checks, where it differs."""
    failed: dict[str, int] = {}
    stored: dict[str, Any] = {}
    ordered = sorted(report_ids)
    for start in range(0, len(ordered), _BATCH):
        batch = ordered[start : start + _BATCH]
        marks = ", ".join("?" for _ in batch)
        # `+verdict`: through the (report_id, rule) primary key, never the verdict index, which
        # holds every failed check of every report (SQLite picked it: 2 ms a report).
        failed.update(
            db.conn.execute(
                f"SELECT report_id, count(*) FROM checks WHERE report_id IN ({marks})"
                " AND +verdict = ? GROUP BY report_id",
                [*batch, VERDICT_FAIL],
            ).fetchall()
        )
        stored.update(
            db.conn.execute(
                f"SELECT id, failed_checks FROM reports WHERE id IN ({marks})", batch
            ).fetchall()
        )
    db.conn.executemany(
        "UPDATE reports SET failed_checks = ? WHERE id = ?",
        [
            (failed.get(report_id, 0), report_id)
            for report_id in ordered
            if stored.get(report_id, 0) != failed.get(report_id, 0)
        ],
    )
