"""Loading documents: one transaction each, stable ids, re-storing replaces instead of piling up."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils

from archive.bulk import bulk_store_reports
from archive.schema import open_db
from archive.store import report_id, store_page, store_report, store_source
from crawler.sources import Source
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.report import Check, ExtractedReport, Fact, Metric

SOURCE = Source(
    id="luoyang-gov",
    agency="洛阳市人民政府",
    family="trs",
    start_urls=("http://127.0.0.1:8000/",),
    allowed_hosts=("127.0.0.1:8000",),
    region="河南省洛阳市",
    level="prefecture",
)
URL = "http://127.0.0.1:8000/art/2021/3/1/art_1.html"


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_db(tmp_path / "nianbao.db")


def document(url: str = URL, offset: int = 120) -> FetchedDocument:
    return FetchedDocument(
        url=url,
        status=200,
        body="洛阳市人民政府2020年政府信息公开工作年度报告".encode(),
        headers={"content-type": "text/html; charset=utf-8"},
        fetched_at="2026-03-01T08:30:15+00:00",
        source_id="luoyang-gov",
        role="document",
        warc_file="nianbao-20260301T083000-1-00000.warc.gz",
        warc_offset=offset,
    )


def report(metrics: dict[str, float | None], agency: str = "洛阳市人民政府") -> ExtractedReport:
    return ExtractedReport(
        url=URL,
        status="ok",
        doc_type="annual_report",
        agency=agency,
        year=2020,
        template="2019",
        title="洛阳市人民政府2020年政府信息公开工作年度报告",
        published="2021-01-29",
        text="全文",
        metrics={k: Metric(k, v, "" if v is None else str(v)) for k, v in metrics.items()},
        checks=[
            Check("apply.total", True, 12, 12),
            Check("review.total", False, 3, 4, "3 ≠ 4"),
            Check("outcome.total", None, detail="blank cell"),
        ],
        facts=[Fact("website.items", 2727, "条", "发布信息2727条。")],
    )


def test_report_row_counts_metrics_and_failed_checks(db: sqlite_utils.Database) -> None:
    rid = store_report(
        db, document(), report({"apply.new.total": 12.0, "active.fees.amount": None})
    )
    row = db["reports"].get(rid)
    assert (row["year"], row["template"], row["extraction_status"]) == (2020, "2019", "ok")
    assert (row["metric_count"], row["failed_checks"]) == (2, 1)
    assert row["warc_offset"] == 120 and row["content_sha256"] == document().sha256


def test_missing_rows_of_a_partial_report_are_stored_as_a_json_list(
    db: sqlite_utils.Database,
) -> None:
    partial = replace(
        report({"apply.new.total": 12.0}),
        status="partial",
        missing_rows=["active.coercion", "review"],
    )
    row = db["reports"].get(store_report(db, document(), partial))
    assert (row["extraction_status"], json.loads(row["missing_rows"])) == (
        "partial",
        ["active.coercion", "review"],
    )


def test_metrics_checks_and_facts_are_stored_with_the_report(db: sqlite_utils.Database) -> None:
    rid = store_report(
        db, document(), report({"apply.new.total": 12.0, "active.fees.amount": None})
    )
    metrics = {
        r["key"]: (r["value"], r["raw"]) for r in db["metrics"].rows_where("report_id = ?", [rid])
    }
    assert metrics == {"apply.new.total": (12.0, "12.0"), "active.fees.amount": (None, "")}
    passed = {r["rule"]: r["passed"] for r in db["checks"].rows_where("report_id = ?", [rid])}
    assert passed == {"apply.total": 1, "review.total": 0, "outcome.total": None}
    assert [(f["seq"], f["value"], f["unit"]) for f in db["facts"].rows] == [(0, 2727.0, "条")]


def test_storing_a_report_again_leaves_no_stale_rows(db: sqlite_utils.Database) -> None:
    store_report(db, document(), report({"a": 1.0, "b": 2.0}))
    second = report({"a": 5.0})
    second.checks = []
    second.facts = []
    rid = store_report(db, document(offset=999), second)
    assert db["reports"].count == 1
    assert [(r["key"], r["value"]) for r in db["metrics"].rows] == [("a", 5.0)]
    assert db["checks"].count == 0 and db["facts"].count == 0
    assert db["reports"].get(rid)["warc_offset"] == 999


def test_report_id_is_a_stable_hash_of_the_url(db: sqlite_utils.Database) -> None:
    first = store_report(db, document(), report({}))
    other = store_report(db, document(url=URL + "?page=2"), report({}))
    assert first == report_id(URL) and first != other


def test_a_failed_store_keeps_the_previous_report_intact(db: sqlite_utils.Database) -> None:
    rid = store_report(db, document(), report({"a": 1.0}))
    broken = report({"a": 2.0})
    broken.metrics["b"] = Metric("b", object(), "?")  # type: ignore[arg-type]  # sqlite cannot bind it
    with pytest.raises(Exception):  # noqa: B017 - whatever sqlite3 raises, nothing may be half-written
        store_report(db, document(), broken)
    assert [(r["key"], r["value"]) for r in db["metrics"].rows] == [("a", 1.0)]
    assert db["reports"].get(rid)["metric_count"] == 1


def test_agency_gets_region_from_its_own_portal_and_level_from_its_name(
    db: sqlite_utils.Database,
) -> None:
    store_source(db, SOURCE)
    store_report(db, document(), report({}))
    store_report(db, document(url=URL + "x"), report({}, agency="洛阳市民政局"))
    agencies = {r["name"]: (r["region"], r["level"]) for r in db["agencies"].rows}
    # The department's report on the city's portal is stored under its own agency.
    assert agencies == {
        "洛阳市人民政府": ("河南省洛阳市", "prefecture"),
        "洛阳市民政局": (None, "prefecture"),
    }
    linked = db.execute(
        "SELECT agencies.name FROM reports JOIN agencies ON agencies.id = reports.agency_id"
    ).fetchall()
    assert sorted(name for (name,) in linked) == ["洛阳市人民政府", "洛阳市民政局"]


def test_source_lists_are_stored_as_json(db: sqlite_utils.Database) -> None:
    store_source(db, SOURCE)
    store_source(db, SOURCE)
    row = db["sources"].get("luoyang-gov")
    assert json.loads(row["start_urls"]) == ["http://127.0.0.1:8000/"]
    assert json.loads(row["allowed_hosts"]) == ["127.0.0.1:8000"]
    assert (row["family"], row["verified"], db["sources"].count) == ("trs", 1, 1)


def test_a_page_stored_again_keeps_one_row_with_the_last_outcome(db: sqlite_utils.Database) -> None:
    store_page(db, document(), "archived")
    store_page(db, document(), "failed", "HTTP 500")
    assert [(r["outcome"], r["reason"]) for r in db["pages"].rows] == [("failed", "HTTP 500")]


def test_pages_from_different_warc_records_are_different_rows(db: sqlite_utils.Database) -> None:
    store_page(db, document(offset=1), "archived")
    store_page(db, document(offset=2), "archived")
    assert db["pages"].count == 2


def test_unknown_page_outcome_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError, match="outcome"):
        store_page(db, document(), "done")


def test_an_agency_keeps_its_region_when_another_portal_reports_on_it(
    db: sqlite_utils.Database,
) -> None:
    store_source(db, SOURCE)
    store_report(db, document(), report({}))
    other = replace(
        SOURCE, id="henan-gov", agency="河南省人民政府", region="河南省", level="province"
    )
    store_source(db, other)
    hosted = document(url=URL + "?hosted")
    hosted.source_id = "henan-gov"
    store_report(db, hosted, report({}))
    rows = {r["name"]: (r["region"], r["level"]) for r in db["agencies"].rows}
    assert rows["洛阳市人民政府"] == ("河南省洛阳市", "prefecture")


def test_an_agency_first_seen_on_a_report_gets_its_region_when_its_portal_is_stored(
    db: sqlite_utils.Database,
) -> None:
    store_report(db, document(), report({}))
    store_source(db, SOURCE)
    rows = {r["name"]: (r["region"], r["level"]) for r in db["agencies"].rows}
    assert rows == {"洛阳市人民政府": ("河南省洛阳市", "prefecture")}


def test_a_portal_that_gives_no_region_leaves_its_agency_region(
    db: sqlite_utils.Database,
) -> None:
    store_source(db, SOURCE)
    store_report(db, document(), report({}))
    store_source(db, replace(SOURCE, id="luoyang-mirror", region=None, level=None))
    rows = {r["name"]: (r["region"], r["level"]) for r in db["agencies"].rows}
    assert rows == {"洛阳市人民政府": ("河南省洛阳市", "prefecture")}


def test_a_report_naming_its_agency_without_the_place_is_the_portals_places(
    db: sqlite_utils.Database,
) -> None:
    store_source(db, SOURCE)  # 洛阳市人民政府, region 河南省洛阳市
    rid = store_report(db, document(), report({}, agency="市民政局"))
    row = db["reports"].get(rid)
    agency = db["agencies"].get(row["agency_id"])
    assert (row["agency"], agency["name"], agency["division_code"]) == (
        "市民政局",  # as the report printed it
        "洛阳市民政局",
        "410300",
    )


def test_bulk_loading_gives_agencies_the_regions_store_report_gives(tmp_path: Path) -> None:
    other = replace(
        SOURCE, id="henan-gov", agency="河南省人民政府", region="河南省", level="province"
    )
    hosted = document(url=URL + "?hosted")
    hosted.source_id = other.id
    documents = [
        (document(), report({})),  # on its own portal: region and level from the portal
        (hosted, report({})),  # the same agency on another portal: keeps them
        # hosted: no region, its level from its name
        (document(url=URL + "x"), report({}, agency="洛阳市民政局")),
    ]
    agencies = []
    for path, store in (
        (tmp_path / "one.db", lambda db: [store_report(db, *pair) for pair in documents]),
        (tmp_path / "bulk.db", lambda db: bulk_store_reports(db, documents, batch_size=2)),
    ):
        db = open_db(path)
        store_source(db, SOURCE)
        store_source(db, other)
        store(db)
        agencies.append({r["name"]: (r["region"], r["level"]) for r in db["agencies"].rows})
        db.close()
    assert (
        agencies[1]
        == agencies[0]
        == {
            "洛阳市人民政府": ("河南省洛阳市", "prefecture"),
            "河南省人民政府": ("河南省", "province"),
            "洛阳市民政局": (None, "prefecture"),
        }
    )


def test_pages_and_portals_are_stored_in_a_database_without_the_schema() -> None:
    bare = sqlite_utils.Database(memory=True)
    store_source(bare, SOURCE)
    store_source(bare, replace(SOURCE, region=None))
    store_page(bare, document(), "archived")
    rows = [(r["name"], r["region"], r["level"]) for r in bare["agencies"].rows]
    assert rows == [("洛阳市人民政府", "河南省洛阳市", "prefecture")]
    assert [r["outcome"] for r in bare["pages"].rows] == ["archived"]
