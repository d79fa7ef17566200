"""Every stored check has a verdict (pass, fail, unverifiable) and its evidence; an unverifiable
check is never counted as passed, nor as failed."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from archive import schema
from archive.publish import prepare_for_publishing
from archive.schema import ensure_schema, open_db
from archive.store import store_report
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.extract import extract_document
from portal.html_render import report_body
from portal.synthetic import generate

URL = "http://127.0.0.1/blank.html"


def spec_with_blank_cell():
    """A synthetic report (its identities hold, by the generator) printing some cells blank."""
    return next(
        spec
        for spec in generate(60, seed=9)
        if any(value is None for key, value in spec.metrics.items() if key.startswith("apply."))
    )


def stored_blank_report(tmp_path: Path) -> sqlite_utils.Database:
    spec = spec_with_blank_cell()
    html = f"<html><head><title>{spec.title}</title></head><body>{report_body(spec, False)}</body></html>"
    headers = {"content-type": "text/html; charset=utf-8"}
    report = extract_document(html.encode(), URL, headers)
    db = open_db(tmp_path / "n.db")
    doc = FetchedDocument(
        url=URL,
        status=200,
        body=html.encode(),
        headers=headers,
        fetched_at="2026-03-01T08:30:15+00:00",
        source_id=None,
        role="document",
    )
    store_report(db, doc, report)
    prepare_for_publishing(db)
    return db


def test_blank_cell_is_unverifiable_and_not_counted_as_failed_or_passed(tmp_path: Path) -> None:
    spec = spec_with_blank_cell()
    db = stored_blank_report(tmp_path)
    blank = next(k for k, v in spec.metrics.items() if k.startswith("apply.") and v is None)
    row = blank.split(".")[1]
    check = db.execute(
        "SELECT verdict, passed, evidence FROM checks WHERE rule = ?", [f"apply.row_total.{row}"]
    ).fetchone()
    assert check[:2] == ("unverifiable", None)
    assert "（空）" in check[2]
    # The generator's identities hold, so nothing fails: the unverifiable checks are not failures…
    fails = db.execute("SELECT count(*) FROM checks WHERE verdict = 'fail' AND severity = 'error'")
    assert fails.fetchone()[0] == 0
    summary = db.execute("SELECT failed_checks FROM report_summary").fetchone()[0]
    stored_fails = db.execute("SELECT count(*) FROM checks WHERE verdict = 'fail'").fetchone()[0]
    assert summary == stored_fails
    # …nor passes.
    assert (
        db.execute(
            "SELECT count(*) FROM checks WHERE verdict = 'pass' AND passed IS NULL"
        ).fetchone()[0]
        == 0
    )


def test_migration_gives_stored_checks_their_verdict_and_evidence(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "old.db")
    before = Migrations("nianbao")
    before.migrations_table = "_migrations"
    steps = schema._STEPS[: schema._STEPS.index(schema._check_verdicts)]
    for version, step in enumerate(steps, start=1):
        before(name=f"{version:04d}{step.__name__}")(step)
    before.apply(db)
    db.table("checks").insert_all(
        [
            {"report_id": "r", "rule": "a", "passed": 1, "expected": 3, "printed": 3},
            {"report_id": "r", "rule": "b", "passed": 0, "expected": 3, "printed": 4},
            {"report_id": "r", "rule": "c", "passed": None, "detail": "blank: apply.new.total"},
        ]
    )
    ensure_schema(db)
    got = {
        row["rule"]: (row["verdict"], row["evidence"]) for row in db.query("SELECT * FROM checks")
    }
    assert got == {
        "a": ("pass", "expected 3.0; printed 3.0"),
        "b": ("fail", "expected 3.0; printed 4.0"),
        "c": ("unverifiable", "blank: apply.new.total"),
    }
