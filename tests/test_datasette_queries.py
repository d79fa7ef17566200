"""The published database through Datasette itself: views, canned queries and Chinese search.

Every test runs against `build_known_db`, a database with a handful of hand-written reports whose
expected figures are worked out by hand below (not by the code under test).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette

from archive.publish import prepare_for_publishing
from archive.schema import open_db

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "datasette"

R1, R2, R3, R4, R5 = (f"{n:016x}" for n in (0xA1, 0xA2, 0xA3, 0xA4, 0xA5))
GOV, EDU, FIN = "gov0000000000001", "edu0000000000002", "fin0000000000003"
XSS_TITLE = "甲市教育局<script>window.__xss = 1</script>2022年年度报告"

_REPORTS: list[dict[str, Any]] = [
    {
        "id": R1,
        "agency_id": GOV,
        "year": 2020,
        "template": "2019",
        "title": "甲市人民政府2020年政府信息公开工作年度报告",
        "published": "2021-03-15",
        "text": "本年度发生行政复议案件3件，行政诉讼案件3件。诉讼风险总体可控。",
    },
    {
        "id": R2,
        "agency_id": GOV,
        "year": 2021,
        "template": "2021",
        "title": "甲市人民政府2021年政府信息公开工作年度报告",
        "published": "2022-04-02",
        "text": "主动公开政府信息，依申请公开办理及时。",
        "version": 3,
    },
    {
        "id": R3,
        "agency_id": EDU,
        "year": 2021,
        "template": "2021",
        "title": "甲市教育局2021年政府信息公开工作年度报告",
        "published": "2022-01-20",
        "text": "全年未发生因政府信息公开引起的诉讼。",
    },
    {
        "id": R4,
        "agency_id": EDU,
        "year": 2022,
        "template": "2021",
        "title": XSS_TITLE,
        "published": "2023-02-01",
        "text": "<b>正文</b><script>window.__xss = 2</script>",
    },
    {
        "id": R5,
        "agency_id": FIN,
        "year": 2021,
        "template": "unknown",
        "extraction_status": "no_tables",
        "title": "乙县财政局（示例）2021年政府信息公开工作年度报告",
        "published": None,
        "text": "详见附件。",
    },
]

_METRICS: dict[str, dict[str, float]] = {
    R1: {
        "apply.new.total": 10,
        "apply.carried_in.total": 2,
        "apply.granted.total": 5,
        "apply.partial.total": 1,
        "apply.denied.secret.total": 1,
        "apply.denied.law.total": 1,
        "apply.unable.not_held.total": 2,
        "apply.unprocessed.repeat.total": 1,
        "apply.other.total": 0,
        "apply.total.total": 11,
        "apply.carried_out.total": 1,
        "review.total": 3,
        "litigation.direct.total": 2,
        "litigation.after_review.total": 1,
        "active.rules.made": 1,
    },
    R2: {
        "apply.new.total": 20,
        "apply.granted.total": 9,
        "apply.total.total": 18,
        "active.rules.issued": 2,
    },
    R3: {"apply.new.total": 7, "apply.total.total": 7, "apply.granted.total": 7},
    R4: {"apply.new.total": 4, "apply.total.total": 4},
}


def build_known_db(path: Path) -> Path:
    """A small published database whose every expected answer is known by hand."""
    db = open_db(path)
    db.table("agencies").insert_all(
        [
            {
                "id": GOV,
                "name": "甲市人民政府",
                "region": "甲省甲市",
                "level": "prefecture",
                "province": "甲省",
                "prefecture": "甲市",
                "kind": "government",
            },
            {
                "id": EDU,
                "name": "甲市教育局",
                "region": "甲省甲市",
                "level": "department",
                "province": "甲省",
                "prefecture": "甲市",
                "kind": "department",
                "department_type": "教育",
                "parent_id": GOV,
            },
            {
                "id": FIN,
                "name": "乙县财政局（示例）",
                "region": "甲省乙县",
                "level": None,
                "province": "乙省",
                "kind": "department",
                "department_type": "财政",
            },
        ],
        pk="id",
    )
    for report in _REPORTS:
        row = {
            "url": f"https://example.gov.cn/{report['id']}.html",
            "agency": None,
            "doc_type": "annual_report",
            "extraction_status": "ok",
            "failed_checks": 0,
            "version": 1,
            **report,
        }
        row["metric_count"] = len(_METRICS.get(report["id"], {}))
        db.table("reports").insert(row, pk="id")
    for report_id, metrics in _METRICS.items():
        db.table("metrics").insert_all(
            [
                {"report_id": report_id, "key": key, "value": value, "raw": str(int(value))}
                for key, value in metrics.items()
            ],
            pk=("report_id", "key"),
        )
    db.table("checks").insert_all(
        [
            {
                "report_id": R2,
                "rule": "apply.total_is_sum.total",
                "passed": 0,
                "expected": 17.0,
                "printed": 18.0,
                "detail": "total: （七）总计 = （一）…（六）",
                "severity": "error",
                "verdict": "fail",
                "evidence": "9 + 0 + 8 = 17; printed 18",
            },
            {
                "report_id": R2,
                "rule": "apply.row_total.new",
                "passed": 1,
                "expected": 20.0,
                "printed": 20.0,
                "detail": "new: 总计 = 自然人 + 五类法人或其他组织",
                "severity": "error",
                "verdict": "pass",
                "evidence": "12 + 8 = 20; printed 20",
            },
            {
                "report_id": R2,
                "rule": "apply.row_total.granted",
                "passed": None,
                "expected": None,
                "printed": None,
                "detail": "granted: 总计 = 自然人 + 五类法人或其他组织; blank: apply.granted.legal",
                "severity": "error",
                "verdict": "unverifiable",
                "evidence": "9 + （空）; printed 9",
            },
        ],
        pk=("report_id", "rule"),
    )
    db.execute("UPDATE reports SET failed_checks = 1 WHERE id = ?", [R2])
    db.table("metric_changes").insert_all(
        [
            _change(1, 2, "apply.new.total", 19, 20),
            _change(1, 2, "review.total", 1, 2),
            _change(2, 3, "apply.new.total", 20, 21),
            _change(2, 3, "review.total", 2, 1),
        ],
        pk=("report_id", "to_version", "key"),
    )
    db.conn.commit()
    prepare_for_publishing(db)
    db.close()
    return path


def _change(old: int, new: int, key: str, old_value: float, new_value: float) -> dict[str, Any]:
    return {
        "report_id": R2,
        "from_version": old,
        "to_version": new,
        "key": key,
        "old_value": old_value,
        "new_value": new_value,
        "old_raw": str(int(old_value)),
        "new_raw": str(int(new_value)),
    }


def published_datasette(db_path: Path) -> Datasette:
    """Datasette as `nianbao serve` configures it: immutable, our metadata, plugins and templates."""
    metadata = yaml.safe_load((CONFIG_DIR / "metadata.yml").read_text(encoding="utf-8"))
    return Datasette(
        immutables=[str(db_path)],
        metadata=metadata,
        plugins_dir=str(CONFIG_DIR / "plugins"),
        template_dir=str(CONFIG_DIR / "templates"),
        static_mounts=[("static", str(CONFIG_DIR / "static"))],
    )


def fetch(ds: Datasette, path: str, **params: str) -> Any:
    response = asyncio.run(ds.client.get(path, params=params or None))
    assert response.status_code == 200, (path, response.status_code, response.text[:2000])
    return response


def rows(ds: Datasette, path: str, **params: str) -> list[dict[str, Any]]:
    return fetch(ds, path, _shape="array", **params).json()


@pytest.fixture(scope="module")
def known_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_known_db(tmp_path_factory.mktemp("published") / "nianbao.db")


@pytest.fixture(scope="module")
def ds(known_db: Path) -> Datasette:
    return published_datasette(known_db)


def test_search_two_characters_falls_back_to_substring_and_ranks_by_occurrences(
    ds: Datasette,
) -> None:
    found = rows(ds, "/nianbao/search.json", q="诉讼")
    assert [row["report_id"] for row in found] == [R1, R3]
    assert all("【诉讼】" in row["snippet"] for row in found)


def test_search_four_characters_uses_the_trigram_index_with_snippets(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/search.json", q="行政复议")
    assert [row["report_id"] for row in found] == [R1]
    assert "【行政复议】" in found[0]["snippet"]


def test_search_finds_title_words(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/search.json", q="乙县财政局")
    assert [row["report_id"] for row in found] == [R5]


def test_table_search_with_two_characters_does_not_come_back_empty(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/reports.json", _search="诉讼", _col="title")
    assert sorted(row["id"] for row in found) == [R1, R3]


def test_table_search_with_four_characters_uses_the_index(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/reports.json", _search="行政复议", _col="title")
    assert [row["id"] for row in found] == [R1]


def test_table_search_html_keeps_the_short_term_in_the_search_box(ds: Datasette) -> None:
    page = fetch(ds, "/nianbao/reports", _search="诉讼").text
    assert 'value="诉讼"' in page
    assert "2 rows" in page


def test_agency_over_years_gives_headline_figures_per_year(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/agency_over_years.json", agency="甲市人民政府")
    picked = [
        {
            k: row[k]
            for k in (
                "year",
                "report_id",
                "applications_new",
                "granted",
                "refused",
                "handled_total",
                "grant_rate_pct",
                "refusal_rate_pct",
                "reviews_total",
                "lawsuits_total",
                "failed_checks",
            )
        }
        for row in found
    ]
    assert picked == [
        {
            "year": 2020,
            "report_id": R1,
            "applications_new": 10,
            "granted": 5,
            "refused": 2,
            "handled_total": 11,
            "grant_rate_pct": 54.5,
            "refusal_rate_pct": 18.2,
            "reviews_total": 3,
            "lawsuits_total": 3,
            "failed_checks": 0,
        },
        {
            "year": 2021,
            "report_id": R2,
            "applications_new": 20,
            "granted": 9,
            "refused": None,
            "handled_total": 18,
            "grant_rate_pct": 50.0,
            "refusal_rate_pct": None,
            "reviews_total": None,
            "lawsuits_total": None,
            "failed_checks": 1,
        },
    ]


def test_ranking_orders_agencies_by_the_chosen_metric(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/ranking.json", year="2021", key="apply.new.total")
    assert [(r["rank"], r["agency"], r["value"], r["report_id"]) for r in found] == [
        (1, "甲市人民政府", 20.0, R2),
        (2, "甲市教育局", 7.0, R3),
    ]
    assert found[0]["unit"] == "件"


def test_peer_comparison_ranks_one_department_type_within_a_province(ds: Datasette) -> None:
    found = rows(
        ds, "/nianbao/peer_comparison.json", province="甲省", department_type="教育", year="2021"
    )
    assert [
        (r["agency"], r["applications_rank"], r["applications_new"], r["grant_rate_pct"])
        for r in found
    ] == [("甲市教育局", 1, 7.0, 100.0)]
    assert (
        rows(
            ds,
            "/nianbao/peer_comparison.json",
            province="乙省",
            department_type="教育",
            year="2021",
        )
        == []
    )
    nationwide = rows(
        ds, "/nianbao/peer_comparison.json", province="", department_type="财政", year="2021"
    )
    assert [r["agency"] for r in nationwide] == ["乙县财政局（示例）"]


def test_regional_overview_counts_due_published_late_and_missing_per_province(
    ds: Datasette,
) -> None:
    found = rows(ds, "/nianbao/regional_overview.json", year="2022")
    assert [(r["province"], r["due"], r["published"], r["late"], r["missing"]) for r in found] == [
        ("乙省", 1, 0, 0, 1),
        ("甲省", 2, 1, 1, 1),
    ]
    found = rows(ds, "/nianbao/regional_overview.json", year="2021")
    assert [
        (r["province"], r["due"], r["published"], r["late"], r["on_time_pct"]) for r in found
    ] == [
        ("乙省", 1, 1, 0, 100.0),
        ("甲省", 2, 2, 1, 50.0),
    ]


def test_failing_checks_lists_the_failing_rule_with_both_values(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/failing_checks.json", year="")
    assert [
        (r["report_id"], r["rule"], r["expected"], r["printed"], r["difference"]) for r in found
    ] == [(R2, "apply.total_is_sum.total", 17.0, 18.0, 1.0)]
    assert found[0]["evidence"] == "9 + 0 + 8 = 17; printed 18"
    assert rows(ds, "/nianbao/failing_checks.json", year="2020") == []


def test_failing_checks_leaves_out_unverifiable_checks(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/failing_checks.json", year="")
    assert "apply.row_total.granted" not in {r["rule"] for r in found}


def test_missing_reports_lists_missing_and_late_by_deadline(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/missing_reports.json", year="2022")
    assert [(r["agency"], r["status"], r["deadline"]) for r in found] == [
        ("甲市教育局", "late", "2023-01-31"),
        ("乙县财政局（示例）", "missing", "2023-01-31"),
        ("甲市人民政府", "missing", "2023-03-31"),
    ]
    found = rows(ds, "/nianbao/missing_reports.json", year="2021")
    assert [(r["agency"], r["status"], r["report_id"]) for r in found] == [
        ("甲市人民政府", "late", R2)
    ]


def test_expected_reports_marks_on_time_reports_present(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/expected_reports.json", year__lte="2021", _sort="year")
    statuses = sorted((r["agency"], r["year"], r["status"]) for r in found)
    assert statuses == [
        ("乙县财政局（示例）", 2021, "present"),
        ("甲市人民政府", 2020, "present"),
        ("甲市人民政府", 2021, "late"),
        ("甲市教育局", 2021, "present"),
    ]


def test_version_changes_gives_net_changes_between_two_versions(ds: Datasette) -> None:
    found = rows(
        ds, "/nianbao/version_changes.json", report_id=R2, from_version="1", to_version="3"
    )
    assert [(r["key"], r["old_value"], r["new_value"]) for r in found] == [
        ("apply.new.total", 19.0, 21.0)
    ]
    found = rows(
        ds, "/nianbao/version_changes.json", report_id=R2, from_version="1", to_version="2"
    )
    assert [(r["key"], r["old_value"], r["new_value"], r["label_zh"]) for r in found] == [
        ("apply.new.total", 19.0, 20.0, "一、本年新收政府信息公开申请数量·总计"),
        ("review.total", 1.0, 2.0, "行政复议·总计"),
    ]


def test_metrics_long_carries_agency_year_and_template_label(ds: Datasette) -> None:
    found = rows(ds, "/nianbao/metrics_long.json", report_id=R1, key="review.total")
    assert [(r["agency"], r["year"], r["label_zh"], r["unit"], r["value"]) for r in found] == [
        ("甲市人民政府", 2020, "行政复议·总计", "件", 3.0)
    ]


def test_every_canned_query_and_table_exports_csv(ds: Datasette) -> None:
    metadata = yaml.safe_load((CONFIG_DIR / "metadata.yml").read_text(encoding="utf-8"))
    queries = metadata["databases"]["nianbao"]["queries"]
    params = {
        "q": "诉讼",
        "agency": "甲市",
        "year": "2021",
        "key": "apply.new.total",
        "report_id": R2,
        "from_version": "1",
        "to_version": "3",
        "province": "",
        "department_type": "教育",
    }
    for name, query in queries.items():
        csv = fetch(ds, f"/nianbao/{name}.csv", **{p: params[p] for p in query["params"]}).text
        assert csv.count("\n") >= 2, name
    db = sqlite_utils.Database(ds.databases["nianbao"].path)
    for table in db.table_names() + db.view_names():
        if table.startswith("reports_fts") or table == "_migrations":
            continue
        assert fetch(ds, f"/nianbao/{table}.csv").text.splitlines()[0], table
        assert isinstance(rows(ds, f"/nianbao/{table}.json"), list), table
