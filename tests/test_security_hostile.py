"""A hostile report crawled and published: its markup and script stay text, in real Chromium.

The sample portal's hostile switch publishes a report whose title, link text and prose carry
`<script>`, `<img onerror>`, `javascript:`, a `</textarea>` breaker and an attribute breaker (see
`portal.hostile`). It is crawled, served with `nianbao serve`, and opened in headless Chromium on
the table pages, the report page and search results: no dialog fires, no injected element exists.
Datasette serves read-only: a write through the SQL API is refused.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from conftest import run_nianbao, served_datasette
from test_browser_datasette import chromium_context

from portal.hostile import HOSTILE_AGENCY, MARKER

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("hostile")
    db = work / "nianbao.db"
    with SamplePortal(synthetic=3, seed=4, include_seeds=False, hostile=True) as portal:
        portal.write_sources(work / "sources.yaml")
        run_nianbao(
            "crawl", "--sources", str(work / "sources.yaml"), "--db", str(db),
            "--archive", str(work / "archive"), "--log-level", "ERROR",
        )  # fmt: skip
    conn = sqlite3.connect(db)
    row = conn.execute("select id from reports where agency = ?", [HOSTILE_AGENCY]).fetchone()
    conn.close()
    assert row, "the hostile report was not stored"
    with served_datasette(db) as base:
        yield base, row[0]


def test_the_stored_report_really_carries_the_payloads(hostile_site: tuple[str, str]) -> None:
    base, report_id = hostile_site
    sql = quote(f"select title from reports where id = '{report_id}'")
    with urllib.request.urlopen(f"{base}/nianbao.json?sql={sql}&_shape=array") as response:
        title = json.load(response)[0]["title"]
    assert "<script>" in title and "onerror" in title


def test_datasette_refuses_a_write_through_the_sql_api(hostile_site: tuple[str, str]) -> None:
    base, _ = hostile_site
    for sql in ("delete from reports", "update reports set title = 'x'", "drop table metrics"):
        try:
            with urllib.request.urlopen(f"{base}/nianbao.json?sql={quote(sql)}") as response:
                body = response.read().decode()
        except urllib.error.HTTPError as error:
            body = error.read().decode()
        assert '"ok": false' in body.replace('"ok":false', '"ok": false'), body[:300]
    sql = quote("select count(*) n from reports")
    with urllib.request.urlopen(f"{base}/nianbao.json?sql={sql}&_shape=array") as response:
        assert json.load(response)[0]["n"] >= 4


@pytest.fixture(scope="module")
def browser(
    hostile_site: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with chromium_context(tmp_path_factory.mktemp("chromium-hostile")) as context:
        yield context


@pytest.mark.parametrize(
    "path",
    [
        "/nianbao/reports",
        "/nianbao/reports?_search=" + quote("恶意"),
        "/nianbao/pages",
        "/nianbao/report_summary",
        "/-/report/{id}",
        "/nianbao/reports/{id}",
        "/nianbao/search?q=" + quote("恶意测试"),
        "/nianbao/search?q=" + quote("script"),
    ],
)
def test_hostile_strings_run_nothing_and_inject_nothing(
    hostile_site: tuple[str, str], browser: Any, path: str
) -> None:
    base, report_id = hostile_site
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        response = page.goto(base + path.format(id=report_id))
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        page.mouse.move(200, 200)
        assert page.locator(f".{MARKER}").count() == 0
        assert (
            page.locator("script:not([src])").evaluate_all(
                f"(nodes) => nodes.filter(n => n.textContent.includes('{MARKER}')).length"
            )
            == 0
        )
        assert page.locator("a[href^='javascript:']").count() == 0
        assert dialogs == []
    finally:
        page.close()


def test_the_report_page_shows_the_title_as_text(
    hostile_site: tuple[str, str], browser: Any
) -> None:
    base, report_id = hostile_site
    page = browser.new_page()
    try:
        page.goto(f"{base}/-/report/{report_id}")
        assert f"<script>alert('{MARKER}-script')</script>" in page.locator("body").inner_text()
    finally:
        page.close()
