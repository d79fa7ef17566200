"""Cross-year check: this year's 上年结转 equals last year's 结转下年度, per applicant column."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from archive.cross_year import cross_year_checks
from archive.publish import prepare_for_publishing
from archive.schema import open_db
from pipeline.extraction import keys

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


def cross_rows(db: sqlite_utils.Database) -> dict[tuple[str, str], dict]:
    return {
        (row["report_id"], row["rule"]): row
        for row in db.query("SELECT * FROM checks WHERE rule GLOB 'cross_year.*'")
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
    first = cross_year_checks(db)
    rows = cross_rows(db)
    assert cross_year_checks(db) == first == 14
    assert cross_rows(db) == rows


def test_withdrawn_predecessor_drops_the_stale_verdicts(db: sqlite_utils.Database) -> None:
    cross_year_checks(db)
    db.execute("UPDATE reports SET withdrawn_at = '2024-01-01' WHERE id = 'a2021'")
    cross_year_checks(db)
    assert {report for report, _ in cross_rows(db)} == {"a2023"}


def test_in_table_checks_are_left_alone(db: sqlite_utils.Database) -> None:
    db.table("checks").insert(
        {"report_id": "a2022", "rule": "apply.balance.total", "passed": 0, "severity": "error"},
        pk=("report_id", "rule"),
    )
    cross_year_checks(db)
    cross_year_checks(db)
    assert db.table("checks").get(("a2022", "apply.balance.total"))["passed"] == 0
    assert db.table("reports").get("a2022")["failed_checks"] == 1


def test_publishing_runs_the_cross_year_checks(db: sqlite_utils.Database) -> None:
    prepare_for_publishing(db)
    assert ("a2022", "cross_year.carried_in.total") in cross_rows(db)
