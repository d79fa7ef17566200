"""Metadata coverage, the report page and escaping, through Datasette's own client."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette
from test_datasette_queries import (
    CONFIG_DIR,
    R1,
    R2,
    R4,
    XSS_TITLE,
    build_known_db,
    fetch,
    published_datasette,
)

from archive.publish import metric_label_rows, prepare_for_publishing
from archive.schema import open_db
from archive.store import store_report
from pipeline.extraction import keys
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.extract import extract_document
from portal.html_render import report_body
from portal.synthetic import generate


@pytest.fixture(scope="module")
def known_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_known_db(tmp_path_factory.mktemp("pages") / "nianbao.db")


@pytest.fixture(scope="module")
def ds(known_db: Path) -> Datasette:
    return published_datasette(known_db)


def test_every_table_view_and_column_is_described(known_db: Path) -> None:
    metadata = yaml.safe_load((CONFIG_DIR / "metadata.yml").read_text(encoding="utf-8"))
    described = metadata["databases"]["nianbao"]["tables"]
    db = sqlite_utils.Database(known_db)
    for name in db.table_names() + db.view_names():
        if name.startswith(("reports_fts", "reports_bigrams_")) or name == "_migrations":
            continue  # full-text indexes' own shadow tables
        assert name in described, f"{name} has no metadata"
        entry = described[name]
        assert entry.get("description") or entry.get("description_html"), name
        columns = entry.get("columns", {})
        for column in db[name].columns_dict:
            text = columns.get(column, "")
            assert " · " in text or "·" in text, f"{name}.{column} lacks a bilingual description"


def test_metric_labels_cover_every_key_of_both_templates() -> None:
    labelled = {row["key"]: row for row in metric_label_rows()}
    for template, template_keys in keys.TEMPLATE_KEYS.items():
        for key in template_keys:
            assert key in labelled, key
            assert template in str(labelled[key]["templates"]), key
    assert labelled["active.procurement.amount"]["unit"] == "万元"
    assert labelled["active.fees.amount"]["unit"] == "万元"
    assert labelled["apply.denied.safety.natural"]["label_zh"] == (
        "（三）不予公开 3.危及“三安全一稳定”·自然人"
    )


def test_prepare_for_publishing_is_idempotent_and_refreshes_search(tmp_path: Path) -> None:
    db_path = build_known_db(tmp_path / "nianbao.db")
    db = sqlite_utils.Database(db_path)
    prepare_for_publishing(db)
    db.execute("UPDATE reports SET title = '丙区审计局年报' WHERE id = ?", [R1])
    db.conn.commit()
    prepare_for_publishing(db)
    found = db.execute(
        "SELECT rowid FROM reports_fts WHERE reports_fts MATCH '\"丙区审计局\"'"
    ).fetchall()
    assert len(found) == 1
    assert db.table("metric_labels").count == len(metric_label_rows())


def test_report_page_lays_out_the_template_tables(ds: Datasette) -> None:
    page = fetch(ds, f"/-/report/{R1}").text
    assert "三、收到和处理政府信息公开申请情况" in page
    assert "四、政府信息公开行政复议、行政诉讼情况" in page
    assert '<td data-key="apply.new.total">10</td>' in page
    assert '<td data-key="review.total">3</td>' in page
    assert "https://example.gov.cn/" in page


def test_report_page_highlights_the_cell_a_failing_check_names(ds: Datasette) -> None:
    page = fetch(ds, f"/-/report/{R2}").text
    assert 'data-key="apply.total.total" class="cell-failed"' in page
    assert 'data-key="apply.new.total" class="cell-failed"' not in page
    assert "1 项勾稽关系未通过" in page


def test_report_page_shows_each_checks_verdict_and_evidence(ds: Datasette) -> None:
    page = fetch(ds, f"/-/report/{R2}").text
    assert 'data-verdict="unverifiable"' in page
    assert "？无法核对 unverifiable" in page
    assert "9 + （空）; printed 9" in page
    assert "9 + 0 + 8 = 17; printed 18" in page


def test_report_page_escapes_scraped_title_and_text(ds: Datasette) -> None:
    page = fetch(ds, f"/-/report/{R4}").text
    assert "<script>window.__xss" not in page
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page
    assert "&lt;b&gt;正文&lt;/b&gt;" in page


def test_tables_escape_scraped_titles(ds: Datasette) -> None:
    page = fetch(ds, "/nianbao/reports", _col="title").text
    assert "<script>window.__xss" not in page
    assert XSS_TITLE.replace("<", "&lt;").replace(">", "&gt;") in page


def test_report_ids_in_views_link_to_the_report_page(ds: Datasette) -> None:
    page = fetch(ds, "/nianbao/report_summary").text
    assert f'<a href="/-/report/{R1}">{R1}</a>' in page


def test_unknown_report_is_not_found(ds: Datasette) -> None:
    import asyncio

    response = asyncio.run(ds.client.get("/-/report/0000000000000000"))
    assert response.status_code == 404


def test_home_page_points_a_first_time_visitor_somewhere(ds: Datasette) -> None:
    page = fetch(ds, "/").text
    for target in (
        "/nianbao/search",
        "/-/dashboards/overview",
        "/nianbao/report_summary",
        "/nianbao.db",
    ):
        assert target in page, target


def test_report_page_words_each_table_as_the_reports_own_template(ds: Datasette) -> None:
    page_2019 = fetch(ds, f"/-/report/{R1}").text  # a 2019-format report
    page_2021 = fetch(ds, f"/-/report/{R2}").text
    assert "<th>处理决定数量</th>" in page_2019 and "本年处理决定数量" not in page_2019
    assert ">规范性文件</th>" in page_2019 and ">行政规范性文件</th>" not in page_2019
    assert "<th>本年处理决定数量</th>" in page_2021 and ">行政规范性文件</th>" in page_2021


def test_report_page_lists_and_marks_the_rows_a_partial_report_lacks(tmp_path: Path) -> None:
    # A 2019-format report extracted from the sample portal's page with two rows left out.
    spec = next(spec for spec in generate(12, seed=5) if spec.template == "2019")
    omitted = ("active.coercion", "apply.denied.query")
    page = report_body(replace(spec, omitted_rows=frozenset(omitted)), word_style=True)
    url = "http://127.0.0.1/partial.html"
    body = f"<html><body>{page}</body></html>".encode()
    report = extract_document(body, url, {})
    db = open_db(tmp_path / "nianbao.db")
    document = FetchedDocument(
        url=url, status=200, body=body, headers={}, fetched_at="2026-03-01T08:30:15+00:00"
    )
    rid = store_report(db, document, report)
    prepare_for_publishing(db)
    db.close()
    text = fetch(published_datasette(tmp_path / "nianbao.db"), f"/-/report/{rid}").text
    assert "2 行未读出 · 2 template rows not found" in text
    assert "<li>表二 行政强制 <code>active.coercion</code></li>" in text
    assert "<li>表三 （三）不予公开 8.属于行政查询事项 <code>apply.denied.query</code></li>" in text
    assert text.count('<tr class="row-missing">') == 2
    assert '<tr class="row-missing"><th scope="row">行政强制 <span' in text
