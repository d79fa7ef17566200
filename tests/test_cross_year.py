"""Cross-year checks: this year's 上年结转 equals last year's 结转下年度, per applicant column;
现行有效件数 continues from last year's; prose repeated from last year's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from archive.cross_year import cross_year_checks
from archive.publish import prepare_for_publishing
from archive.schema import open_db
from pipeline.extraction import keys
from portal.content import ReportSpec, format_number
from portal.synthetic import generate

COLUMNS = keys.APPLY_COLUMNS


def add_report(
    db: sqlite_utils.Database,
    report_id: str,
    agency_id: str,
    year: int,
    carried_in: list[float | None],
    carried_out: list[float | None],
    **extra: object,
) -> None:
    db.table("reports").insert(
        {
            "id": report_id,
            "url": f"http://127.0.0.1/{report_id}.html",
            "agency_id": agency_id,
            "year": year,
            "doc_type": "annual_report",
            "template": "2021",
            "extraction_status": "ok",
            "failed_checks": 0,
            **extra,
        },
        pk="id",
        replace=True,
    )
    rows = [
        {"report_id": report_id, "key": f"apply.{row}.{column}", "value": value, "raw": str(value)}
        for row, values in (("carried_in", carried_in), ("carried_out", carried_out))
        for column, value in zip(COLUMNS, values, strict=True)
    ]
    db.table("metrics").insert_all(rows, pk=("report_id", "key"), replace=True)


def cross_rows(
    db: sqlite_utils.Database, pattern: str = "cross_year.carried_in.*"
) -> dict[tuple[str, str], dict]:
    return {
        (row["report_id"], row["rule"]): row
        for row in db.query("SELECT * FROM checks WHERE rule GLOB ?", [pattern])
    }


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    database = open_db(tmp_path / "n.db")
    add_report(database, "a2021", "a", 2021, [0] * 7, [1, 0, 0, 0, 0, 2, 3])
    add_report(database, "a2022", "a", 2022, [1, 0, 0, 0, 0, 2, 3], [0] * 7)
    add_report(database, "a2023", "a", 2023, [0, 0, 0, 0, 0, 0, 0], [0] * 7)
    return database


def test_matching_carry_over_passes_for_every_column(db: sqlite_utils.Database) -> None:
    cross_year_checks(db)
    rows = cross_rows(db)
    for column in COLUMNS:
        row = rows[("a2022", f"cross_year.carried_in.{column}")]
        assert row["passed"] == 1 and row["severity"] == "warning"


def test_carry_over_that_differs_fails_with_both_numbers(db: sqlite_utils.Database) -> None:
    # 2022 carried nothing out, yet 2023 says 4 natural-person applications were carried in.
    add_report(db, "a2023", "a", 2023, [4, 0, 0, 0, 0, 0, 4], [0] * 7)
    cross_year_checks(db)
    row = cross_rows(db)[("a2023", "cross_year.carried_in.natural")]
    assert (row["passed"], row["expected"], row["printed"]) == (0, 0, 4)
    assert cross_rows(db)[("a2023", "cross_year.carried_in.total")]["passed"] == 0
    failed = db.table("reports").get("a2023")["failed_checks"]
    assert failed == 2


def test_first_year_and_other_agencies_get_no_check(db: sqlite_utils.Database) -> None:
    add_report(db, "b2022", "b", 2022, [9] * 7, [0] * 7)
    cross_year_checks(db)
    assert {report for report, _ in cross_rows(db)} == {"a2022", "a2023"}


def test_blank_cell_leaves_the_check_undecided(db: sqlite_utils.Database) -> None:
    add_report(db, "a2022", "a", 2022, [None, 0, 0, 0, 0, 2, 3], [0] * 7)
    cross_year_checks(db)
    assert cross_rows(db)[("a2022", "cross_year.carried_in.natural")]["passed"] is None


def test_rerunning_gives_the_same_rows(db: sqlite_utils.Database) -> None:
    assert cross_year_checks(db) > 0
    rows = cross_rows(db, "cross_year.*")
    assert cross_year_checks(db) == 0  # nothing changed: nothing recomputed
    assert cross_rows(db, "cross_year.*") == rows
    assert cross_year_checks(db, full=True) == len(rows)
    assert cross_rows(db, "cross_year.*") == rows
    assert len(cross_rows(db)) == 14


def test_withdrawn_predecessor_drops_the_stale_verdicts(db: sqlite_utils.Database) -> None:
    cross_year_checks(db)
    db.execute("UPDATE reports SET withdrawn_at = '2024-01-01' WHERE id = 'a2021'")
    cross_year_checks(db)
    assert {report for report, _ in cross_rows(db)} == {"a2023"}


def test_in_table_checks_are_left_alone(db: sqlite_utils.Database) -> None:
    db.table("checks").insert(
        {
            "report_id": "a2022",
            "rule": "apply.balance.total",
            "passed": 0,
            "severity": "error",
            "verdict": "fail",
        },
        pk=("report_id", "rule"),
    )
    cross_year_checks(db)
    cross_year_checks(db)
    assert db.table("checks").get(("a2022", "apply.balance.total"))["passed"] == 0
    assert db.table("reports").get("a2022")["failed_checks"] == 1


def test_publishing_runs_the_cross_year_checks(db: sqlite_utils.Database) -> None:
    prepare_for_publishing(db)
    assert ("a2022", "cross_year.carried_in.total") in cross_rows(db)


# -- 现行有效件数 across years (table 二, 2021 template) ---------------------------------------


def add_spec(db: sqlite_utils.Database, report_id: str, spec: ReportSpec) -> None:
    """A synthetic report stored with the generator's numbers (its ground truth) and prose."""
    db.table("reports").insert(
        {
            "id": report_id,
            "url": f"http://127.0.0.1/{report_id}.html",
            "agency_id": spec.agency,
            "year": spec.year,
            "doc_type": "annual_report",
            "template": spec.template,
            "extraction_status": "ok",
            "failed_checks": 0,
            "metric_count": len(spec.metrics),
            "text": "\n".join(spec.intro + spec.outro),
        },
        pk="id",
        replace=True,
    )
    db.table("metrics").insert_all(
        [
            {"report_id": report_id, "key": key, "value": value, "raw": format_number(value)}
            for key, value in spec.metrics.items()
        ],
        pk=("report_id", "key"),
        replace=True,
    )


def consecutive_2021_years() -> tuple[ReportSpec, ReportSpec]:
    """Two synthetic reports of one agency, consecutive years, both on the 2021 template."""
    specs = generate(40, seed=2)
    by_key = {(spec.agency, spec.year): spec for spec in specs}
    for spec in specs:
        last = by_key.get((spec.agency, spec.year - 1))
        if last is not None and last.template == spec.template == keys.TEMPLATE_2021:
            return last, spec
    raise AssertionError("the generator gave no two consecutive 2021-template years")


@pytest.fixture
def in_force_db(tmp_path: Path) -> sqlite_utils.Database:
    database = open_db(tmp_path / "f.db")
    last, this = consecutive_2021_years()
    add_spec(database, "last", last)
    add_spec(database, "this", this)
    return database


def test_in_force_that_continues_from_last_year_passes(in_force_db: sqlite_utils.Database) -> None:
    last, this = consecutive_2021_years()
    cross_year_checks(in_force_db)
    rows = cross_rows(in_force_db, "cross_year.in_force.*")
    for row in ("rules", "normative"):
        check = rows[("this", f"cross_year.in_force.{row}")]
        assert (check["verdict"], check["severity"]) == ("pass", "warning")
        assert check["printed"] == this.metrics[f"active.{row}.in_force"]
        assert check["expected"] == (
            last.metrics[f"active.{row}.in_force"]
            + this.metrics[f"active.{row}.issued"]
            - this.metrics[f"active.{row}.repealed"]
        )


def test_in_force_that_does_not_continue_fails_with_its_evidence(
    in_force_db: sqlite_utils.Database,
) -> None:
    _, this = consecutive_2021_years()
    printed = this.metrics["active.normative.in_force"] + 5
    in_force_db.execute(
        "UPDATE metrics SET value = ?, raw = ? WHERE report_id = 'this'"
        " AND key = 'active.normative.in_force'",
        [printed, str(printed)],
    )
    cross_year_checks(in_force_db)
    check = cross_rows(in_force_db, "cross_year.in_force.*")[
        ("this", "cross_year.in_force.normative")
    ]
    assert (check["verdict"], check["passed"], check["printed"]) == ("fail", 0, printed)
    assert f"printed 现行有效件数 {printed}" in check["evidence"]


def test_in_force_without_last_years_report_is_unverifiable(
    in_force_db: sqlite_utils.Database,
) -> None:
    cross_year_checks(in_force_db)
    rows = cross_rows(in_force_db, "cross_year.in_force.*")
    # "last" is the agency's first report here: nothing to continue from.
    assert rows[("last", "cross_year.in_force.rules")]["verdict"] == "unverifiable"
    assert rows[("last", "cross_year.in_force.rules")]["passed"] is None
    assert in_force_db.table("reports").get("last")["failed_checks"] == 0


def test_in_force_after_a_2019_template_year_is_unverifiable(
    in_force_db: sqlite_utils.Database,
) -> None:
    in_force_db.execute("DELETE FROM metrics WHERE report_id = 'last' AND key GLOB 'active.*'")
    in_force_db.execute(
        "INSERT INTO metrics (report_id, key, value, raw) VALUES ('last', 'active.rules.total', 12, '12')"
    )
    cross_year_checks(in_force_db)
    check = cross_rows(in_force_db, "cross_year.in_force.*")[("this", "cross_year.in_force.rules")]
    assert check["verdict"] == "unverifiable"


def test_in_force_with_a_blank_cell_is_unverifiable(in_force_db: sqlite_utils.Database) -> None:
    in_force_db.execute(
        "UPDATE metrics SET value = NULL, raw = '' WHERE report_id = 'this'"
        " AND key = 'active.rules.issued'"
    )
    cross_year_checks(in_force_db)
    check = cross_rows(in_force_db, "cross_year.in_force.*")[("this", "cross_year.in_force.rules")]
    assert (check["verdict"], check["passed"]) == ("unverifiable", None)
    assert "本年制发件数 （空）" in check["evidence"]


# -- prose repeated from last year's report ---------------------------------------------------

SENTENCES_2021 = [f"二〇二一年第{n}项工作按计划推进，取得了第{n}项明显成效。" for n in range(10)]


def add_text_report(db: sqlite_utils.Database, report_id: str, year: int, text: str) -> None:
    add_report(db, report_id, "t", year, [0] * 7, [0] * 7, text=text)


def test_report_repeating_last_years_prose_fails_with_its_share(
    db: sqlite_utils.Database,
) -> None:
    add_text_report(db, "t2021", 2021, "\n".join(SENTENCES_2021))
    # Nine of the ten sentences again, word for word (line breaks elsewhere), one rewritten.
    this_year = SENTENCES_2021[:9] + ["二〇二二年新开展了政策解读工作，发布解读材料若干篇。"]
    add_text_report(db, "t2022", 2022, "".join(this_year))
    cross_year_checks(db)
    check = cross_rows(db, "cross_year.repeated_prose")[("t2022", "cross_year.repeated_prose")]
    assert (check["verdict"], check["severity"]) == ("fail", "warning")
    assert check["printed"] == pytest.approx(0.9)
    assert json.loads(check["evidence"])["last_year_report"] == "t2021"


def test_report_with_new_prose_passes_the_repeat_check(db: sqlite_utils.Database) -> None:
    add_text_report(db, "t2021", 2021, "\n".join(SENTENCES_2021))
    this_year = SENTENCES_2021[:2] + [s.replace("二〇二一", "二〇二二") for s in SENTENCES_2021[2:]]
    add_text_report(db, "t2022", 2022, "\n".join(this_year))
    cross_year_checks(db)
    check = cross_rows(db, "cross_year.repeated_prose")[("t2022", "cross_year.repeated_prose")]
    assert check["verdict"] == "pass"
    assert check["printed"] == pytest.approx(0.2)


def test_repeat_check_without_last_years_report_is_unverifiable(
    db: sqlite_utils.Database,
) -> None:
    add_text_report(db, "t2022", 2022, "\n".join(SENTENCES_2021))
    cross_year_checks(db)
    check = cross_rows(db, "cross_year.repeated_prose")[("t2022", "cross_year.repeated_prose")]
    assert (check["verdict"], check["printed"]) == ("unverifiable", None)


def test_report_summary_carries_the_repeated_share(db: sqlite_utils.Database) -> None:
    add_text_report(db, "t2021", 2021, "\n".join(SENTENCES_2021))
    add_text_report(db, "t2022", 2022, "\n".join(SENTENCES_2021))
    prepare_for_publishing(db)
    summary = {row["report_id"]: row for row in db.query("SELECT * FROM report_summary")}
    assert summary["t2022"]["repeated_share"] == 1.0
    assert summary["t2021"]["repeated_share"] is None
