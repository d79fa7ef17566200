"""The published site in real headless Chromium, against a real `nianbao serve` subprocess.

Chromium is Debian's (scripts/install-system-deps.sh); Playwright only drives it. With CI=true a
missing Chromium fails these tests instead of skipping them.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import served_datasette
from test_datasette_queries import R1, XSS_TITLE, build_known_db

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.is_file():
        return
    message = f"{CHROMIUM} is missing: run scripts/install-system-deps.sh"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_chromium()
    db_path = build_known_db(tmp_path_factory.mktemp("browser") / "nianbao.db")
    with served_datasette(db_path) as base:
        yield base


# Playwright waits 30 s by default; a busy machine (a test run beside other work) can take longer
# to answer a search or draw a chart, and a test must not fail for that.
BROWSER_TIMEOUT_MS = 180_000


@contextmanager
def chromium_context(profile: Path, **options: Any) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, with a fresh profile and patient timeouts."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            **options,
        )  # fmt: skip
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def browser_context(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium_context(
        tmp_path_factory.mktemp("chromium-profile"), accept_downloads=True
    ) as context:
        yield context


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    page.off_site_requests = []  # type: ignore[attr-defined]
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else page.off_site_requests.append(request.url)
        ),
    )
    yield page
    page.close()


def test_searching_two_characters_from_the_home_page_shows_results(site: str, page: Any) -> None:
    page.goto(site + "/")
    page.fill("#home-search", "诉讼")
    page.click("form.search input[type=submit]")
    page.wait_for_load_state()
    cells = page.locator("td.col-snippet")
    assert cells.count() == 2
    assert "【诉讼】" in cells.first.inner_text()


def test_searching_four_characters_shows_ranked_results(site: str, page: Any) -> None:
    page.goto(site + "/nianbao/search?q=" + urllib.request.quote("行政复议"))
    assert page.locator("td.col-snippet").count() == 1
    assert "【行政复议】" in page.locator("td.col-snippet").first.inner_text()


def test_table_search_box_finds_two_character_terms(site: str, page: Any) -> None:
    page.goto(site + "/nianbao/reports")
    page.fill("input#_search", "诉讼")
    page.locator("input#_search").press("Enter")
    page.wait_for_load_state()
    assert page.locator("table.rows-and-columns tbody tr").count() == 2


def test_report_page_shows_its_tables(site: str, page: Any) -> None:
    page.goto(f"{site}/-/report/{R1}")
    tables = page.locator("table.template-table")
    assert tables.count() >= 3
    assert page.locator('td[data-key="apply.new.total"]').inner_text() == "10"
    assert page.locator('td[data-key="review.total"]').is_visible()


def test_dashboard_draws_its_charts_without_leaving_the_site(site: str, page: Any) -> None:
    page.goto(site + "/-/dashboards/overview")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=BROWSER_TIMEOUT_MS)
    page.wait_for_function(
        "document.querySelectorAll('.vega-embed svg .mark-rect path, "
        ".vega-embed svg .mark-line path, .vega-embed canvas').length >= 4",
        timeout=BROWSER_TIMEOUT_MS,
    )
    assert page.off_site_requests == []


def test_database_downloads_and_opens_with_sqlite(site: str, page: Any, tmp_path: Path) -> None:
    page.goto(site + "/nianbao")
    with page.expect_download() as download_info:
        page.evaluate(
            "() => { const a = document.createElement('a'); a.href = '/nianbao.db';"
            " a.download = 'nianbao.db'; document.body.appendChild(a); a.click(); }"
        )
    saved = tmp_path / "downloaded.db"
    download_info.value.save_as(saved)
    with sqlite3.connect(saved) as conn:
        (count,) = conn.execute("SELECT count(*) FROM reports").fetchone()
    assert count == 5


def test_script_in_a_title_is_shown_escaped_and_runs_nothing(site: str, page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (
        "/-/report/" + f"{0xA4:016x}",
        "/nianbao/reports?_col=title",
        "/nianbao/search?q=" + urllib.request.quote("甲市教育局"),
    ):
        page.goto(site + path)
        assert page.evaluate("() => window.__xss === undefined"), path
    page.goto(site + "/-/report/" + f"{0xA4:016x}")
    assert page.locator("#report-title").inner_text() == XSS_TITLE
    assert dialogs == []
