"""One report published as several documents counts once: the best copy stands for it."""

from __future__ import annotations

from pathlib import Path

from archive.publish import prepare_for_publishing
from archive.schema import open_db


def add_report(
    db, rid: str, url: str, status: str, metrics: int, first_seen: str, year: int = 2020
) -> None:
    db.table("reports").insert(
        {
            "id": rid,
            "url": url,
            "agency_id": "a1",
            "agency": "甲局",
            "year": year,
            "doc_type": "annual_report",
            "template": "2019",
            "extraction_status": status,
            "metric_count": metrics,
            "first_seen": first_seen,
            "version": 1,
        },
        pk="id",
    )
    if metrics:
        db.table("metrics").insert(
            {"report_id": rid, "key": "apply.new.total", "value": 7.0, "raw": "7"},
            pk=("report_id", "key"),
            replace=True,
        )


def test_the_copy_with_tables_stands_for_the_report_and_summaries_count_it_once(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "nianbao.db")
    db.table("agencies").insert({"id": "a1", "name": "甲局"}, pk="id")
    add_report(db, "txt", "http://x/a.txt", "no_tables", 0, "2026-01-01T00:00:00+00:00")
    add_report(db, "html", "http://x/a.htm", "ok", 200, "2026-01-02T00:00:00+00:00")
    add_report(db, "pdf", "http://x/a.pdf", "ok", 200, "2026-01-03T00:00:00+00:00")
    add_report(db, "next", "http://x/b.htm", "ok", 200, "2026-01-03T00:00:00+00:00", year=2021)
    prepare_for_publishing(db)
    rows = {
        r["id"]: (r["is_primary"], r["primary_report_id"])
        for r in db.query("select * from reports")
    }
    assert rows == {
        "txt": (0, "html"),
        "html": (1, "html"),
        "pdf": (0, "html"),
        "next": (1, "next"),
    }
    summary = list(
        db.query("select report_id, applications_new from report_summary order by report_id")
    )
    assert summary == [
        {"report_id": "html", "applications_new": 7.0},
        {"report_id": "next", "applications_new": 7.0},
    ]


def test_a_complete_copy_stands_before_a_partial_one_and_a_partial_before_a_blank_form(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "nianbao.db")
    db.table("agencies").insert({"id": "a1", "name": "甲局"}, pk="id")
    # (id, status, metric count, year): the blank form and the partial copy hold more (empty)
    # cells than the complete one.
    copies = [
        ("form", "blank", 198, 2020),
        ("part", "partial", 190, 2020),
        ("full", "ok", 150, 2020),
        ("form21", "blank", 200, 2021),
        ("part21", "partial", 20, 2021),
    ]
    for rid, status, metrics, year in copies:
        add_report(db, rid, f"http://x/{rid}", status, metrics, "2026-01-01T00:00:00+00:00", year)
    prepare_for_publishing(db)
    primary = {r["year"]: r["id"] for r in db.query("select * from reports where is_primary = 1")}
    assert primary == {2020: "full", 2021: "part21"}
