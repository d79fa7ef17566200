"""The sample portal's pager and list-API sites, crawled for real over loopback with `nianbao crawl`.

Every synthetic report of every site (countPage script, query pager, Hanweb dataproxy.jsp POST,
jpaas JSON unit, xxgk catalogue with getInfoList, gkmlpt catalogue, the TRS list2.trsapi column
paged by POSTs to /fjdzapp/search, and the three families) must reach the database
when no source names a family (`family: auto`), and the database must be the one a crawl with
the families named builds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_nianbao

pytestmark = pytest.mark.slow

# 13 reports per site (and 4 notices) on ten sites: every style's column runs to several pages
# or API calls (see portal.api_sites: groups of 15, pages of 5 to 8).
SYNTHETIC_REPORTS = 130


@pytest.fixture(scope="module")
def styles_portal() -> Iterator[object]:
    from portal.server import STYLE_ORDER, SamplePortal

    with SamplePortal(
        synthetic=SYNTHETIC_REPORTS, seed=19, include_seeds=False, styles=STYLE_ORDER
    ) as portal:
        yield portal


def crawl(portal: object, work: Path, name_families: bool) -> Path:
    work.mkdir()
    sources = work / "sources.yaml"
    portal.write_sources(sources, name_families=name_families)  # type: ignore[attr-defined]
    db = work / "nianbao.db"
    output = run_nianbao(
        "crawl", "--sources", str(sources), "--db", str(db),
        "--archive", str(work / "archive"), "--log-level", "WARNING",
    )  # fmt: skip
    # A callback that raises loses its page's links without failing the run: none may.
    assert "Spider error" not in output.stderr, output.stderr[-4000:]
    return db


@pytest.fixture(scope="module")
def auto_db(styles_portal: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl(styles_portal, tmp_path_factory.mktemp("styles") / "auto", name_families=False)


@pytest.fixture(scope="module")
def named_db(styles_portal: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl(styles_portal, tmp_path_factory.mktemp("styles") / "named", name_families=True)


# Everything a report row says except when and where in the archive it was fetched.
REPORT_COLUMNS = (
    "url, agency, year, template, id, source_id, agency_id, title, doc_type, published, "
    "content_sha256, extraction_status, status_reason, metric_count, failed_checks, is_primary"
)


def reports_of(db_path: Path) -> dict[str, tuple]:
    db = sqlite3.connect(db_path)
    try:
        return {row[0]: row[1:] for row in db.execute(f"select {REPORT_COLUMNS} from reports")}
    finally:
        db.close()


def metrics_of(db_path: Path) -> set[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return set(
            db.execute(
                "select r.url, m.key, m.value from metrics m join reports r on r.id = m.report_id"
            )
        )
    finally:
        db.close()


def test_source_file_without_family_names_none(styles_portal: object, tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    styles_portal.write_sources(path, name_families=False)  # type: ignore[attr-defined]
    assert "family:" not in path.read_text(encoding="utf-8")


def test_every_style_site_gives_every_report_with_no_family_named(
    styles_portal: object, auto_db: Path
) -> None:
    reports = reports_of(auto_db)
    for site in styles_portal.sites:  # type: ignore[attr-defined]
        truth = {url: t for url, t in site.truth.items() if t.metrics}
        assert len(truth) >= 12, site.family  # the column runs to several pages or calls
        missing = sorted(set(truth) - set(reports))
        assert not missing, f"{site.family}: {len(missing)} reports missing, e.g. {missing[:2]}"
        for url, expected in truth.items():
            assert reports[url][:3] == (expected.agency, expected.year, expected.template), url


def test_no_family_named_builds_the_database_of_families_named(
    auto_db: Path, named_db: Path
) -> None:
    assert reports_of(auto_db) == reports_of(named_db)
    assert metrics_of(auto_db) == metrics_of(named_db)


def test_list_apis_are_called_as_the_cms_does(styles_portal: object, auto_db: Path) -> None:
    db = sqlite3.connect(auto_db)
    try:
        urls = [url for (url,) in db.execute("select url from pages")]
    finally:
        db.close()
    # Hanweb: the second group of records POSTed by record range; jpaas: pages until an empty
    # one; getInfoList: one URL POSTed once per page; gkmlpt: the 年报 category of the tree,
    # every page its total asks for.
    assert any("dataproxy.jsp?startrecord=16&endrecord=" in url for url in urls)
    assert any("build/unit" in url and "%22pageNo%22%3A4" in url for url in urls)
    assert sum(url.endswith("/xxgk/api/getInfoList") for url in urls) == 3
    gkmlpt = sorted(url.split("/gkmlpt/")[1] for url in urls if "/gkmlpt/api/" in url)
    assert gkmlpt == [f"api/all/721?page={n}&sid=755041" for n in (1, 2, 3)]
    # TRS's list model: page 1 static, every later page POSTed to the document search (13
    # reports and the notices at 5 a page: at least two POSTs).
    assert sum(url.endswith("/fjdzapp/search") for url in urls) >= 2
    # The nextgroup anchor is no pager link: dataproxy.jsp is never fetched with its page=1.
    assert not any("dataproxy.jsp" in url and "page=1" in url for url in urls)


LIST_CAP = 12


def test_calendar_traps_on_every_style_stay_within_the_page_cap(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from portal.faults import parse_spec
    from portal.server import STYLE_ORDER, SamplePortal

    work = tmp_path_factory.mktemp("styles-trap")
    # Every column announces one page more than it has, forever; every list API answers past
    # its end with one more item and a total one page further on.
    with SamplePortal(
        synthetic=54, seed=23, include_seeds=False, styles=STYLE_ORDER, faults=parse_spec("trap=1")
    ) as portal:
        sources, db_path = work / "sources.yaml", work / "nianbao.db"
        portal.write_sources(sources, name_families=False)
        run_nianbao(
            "crawl", "--sources", str(sources), "--db", str(db_path),
            "--archive", str(work / "archive"), "--log-level", "ERROR",
            "-s", f"NIANBAO_MAX_LIST_PAGES={LIST_CAP}", check=False,
        )  # fmt: skip
        trapped = {site.source_id: site.trap_pages_served for site in portal.sites}
        truth = {url for url, t in portal.truth.items() if t.metrics}
    db = sqlite3.connect(db_path)
    try:
        list_pages = dict(
            db.execute(
                "select source_id, count(distinct url) from pages where role = 'list' "
                "and outcome != 'failed' group by source_id"
            ).fetchall()
        )
        capped = {
            source
            for (source,) in db.execute(
                "select source_id from pages where outcome = 'failed' "
                "and reason like '%pagination cap%'"
            )
        }
        reports = {url for (url,) in db.execute("select url from reports")}
    finally:
        db.close()
    assert all(trapped.values()), trapped  # every site's trap was walked into
    assert all(n <= LIST_CAP for n in list_pages.values()), list_pages
    # Chained and counted pagers run into the cap, which records the cut; gkmlpt asks for the
    # pages its first answer counts, one past the end, and stops there.
    styles = {
        f"sample-{s}" for s in ("countpage", "query", "dataproxy", "jpaas", "xxgk", "trssearch")
    }
    assert styles <= capped, capped
    assert truth <= reports  # the reports before the trap are all in
