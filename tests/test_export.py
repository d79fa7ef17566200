"""`nianbao export` (issue 20, "Downloads people can use" and "The original, as it was"), run for
real over a crawl of the sample portal: every file there and described, checksums and data package
valid, CSV that Excel reads as Chinese, Parquet with the database's rows, the slim database served
with the whole Datasette configuration, the WACZ valid for the `wacz` package, and the report page's
link to the archived original followed in Chromium.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT, Crawl, run_nianbao, served_datasette
from test_browser_datasette import _require_chromium, chromium_context
from test_serve_any_name import _get

# Runs the real command, servers, a crawl and a browser: left out of `make test-fast`.
pytestmark = pytest.mark.slow

TABULAR = ("metrics_long", "report_summary", "agencies")


@pytest.fixture(scope="module")
def release(seed_crawl: Crawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "release"
    run_nianbao(
        "export",
        "--db",
        str(seed_crawl.db),
        "--archive",
        str(seed_crawl.archive),
        "--out",
        str(out),
        "--wacz",
    )
    return out


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])
    finally:
        conn.close()


def _columns(db: Path, table: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
    finally:
        conn.close()


def test_every_file_is_listed_with_a_checksum_that_verifies(release: Path) -> None:
    sums = {}
    for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    expected = {"nianbao-data.db", "data-dictionary.md", "data-dictionary.csv", "datapackage.json"}
    expected |= {f"{t}.{s}" for t in TABULAR for s in ("csv", "parquet")}
    expected |= {"nianbao-archive.wacz"}
    assert set(sums) == expected
    for name, digest in sums.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name


def test_a_failed_export_leaves_the_previous_one_whole(
    seed_crawl: Crawl, release: Path, tmp_path: Path
) -> None:
    out = tmp_path / "release"
    shutil.copytree(release, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    empty_archive = tmp_path / "no-warcs"
    empty_archive.mkdir()
    result = run_nianbao(
        "export",
        "--db",
        str(seed_crawl.db),
        "--archive",
        str(empty_archive),
        "--out",
        str(out),
        "--wacz",
        check=False,
    )
    assert result.returncode == 1 and "no WARC files" in result.stderr, result.stderr[-2000:]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_data_package_describes_each_file_with_size_hash_and_schema(release: Path) -> None:
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "data-package" and package["licenses"]
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == {
        p.name for p in release.iterdir() if p.name not in ("datapackage.json", "SHA256SUMS")
    }
    for path, resource in resources.items():
        assert resource["bytes"] == (release / path).stat().st_size
        digest = hashlib.sha256((release / path).read_bytes()).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"
    summary = resources["report_summary.csv"]["schema"]["fields"]
    by_name = {f["name"]: f for f in summary}
    assert by_name["year"]["type"] == "integer"
    assert by_name["grant_rate_pct"]["type"] == "number"
    assert by_name["year"]["title"] == "报告年度" and by_name["year"]["description"]


def test_the_data_package_validates_with_frictionless(release: Path) -> None:
    from frictionless import Package, validate

    package = Package(str(release / "datapackage.json"))
    for resource in package.resources:
        if resource.format == "parquet":  # frictionless reads Parquet through pandas: see below
            continue
        report = validate(resource)
        assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])[:5]


def test_csv_opens_with_a_bom_and_reads_chinese(seed_crawl: Crawl, release: Path) -> None:
    for table in TABULAR:
        data = (release / f"{table}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), table
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == _columns(seed_crawl.db, table)
        assert len(rows) - 1 == _count(seed_crawl.db, table)
    agencies = (release / "agencies.csv").read_text(encoding="utf-8-sig")
    conn = sqlite3.connect(seed_crawl.db)
    names = [name for (name,) in conn.execute("SELECT name FROM agencies")]
    conn.close()
    assert names and all(name in agencies for name in names)
    assert any("人民政府" in name for name in names)


def test_parquet_holds_the_databases_rows_and_columns(seed_crawl: Crawl, release: Path) -> None:
    for table in TABULAR:
        parquet = pq.read_table(release / f"{table}.parquet")
        assert parquet.num_rows == _count(seed_crawl.db, table), table
        assert parquet.column_names == _columns(seed_crawl.db, table), table
    # Every column agencies has, not a list fixed here: the placement columns of schema step 11.
    assert "division_code" in pq.read_schema(release / "agencies.parquet").names
    summary = pq.read_table(release / "metrics_long.parquet").to_pylist()
    conn = sqlite3.connect(seed_crawl.db)
    total = conn.execute("SELECT sum(value) FROM metrics_long").fetchone()[0]
    conn.close()
    assert sum(row["value"] or 0 for row in summary) == pytest.approx(total)


def test_the_slim_database_has_no_texts_nor_page_records(seed_crawl: Crawl, release: Path) -> None:
    slim = release / "nianbao-data.db"
    conn = sqlite3.connect(slim)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "text" not in _columns(slim, "reports")
    assert not {"pages", "reports_fts", "crawl_runs"} & tables
    assert {"metrics_long", "expected_reports", "report_summary", "metric_labels"} <= tables
    for table in ("reports", "metrics", "checks", "facts", "agencies"):
        assert _count(slim, table) == _count(seed_crawl.db, table), table
    assert slim.stat().st_size < seed_crawl.db.stat().st_size


def _rows(db: Path, table: str, order: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT * FROM [{table}] ORDER BY {order}").fetchall()
    finally:
        conn.close()


def test_the_slim_metrics_and_checks_read_back_row_for_row(
    seed_crawl: Crawl, release: Path
) -> None:
    slim = release / "nianbao-data.db"
    # All but what the slim file leaves out: a cell's box, a passing check's evidence.
    left_out = {
        "metrics": "SELECT report_id, key, value, raw, page, NULL, confidence FROM metrics",
        "checks": "SELECT report_id, rule, passed, expected, printed, detail, severity, verdict, "
        "CASE WHEN verdict = 'pass' THEN NULL ELSE evidence END FROM checks",
    }
    for table, order in (("metrics", "report_id, key"), ("checks", "report_id, rule")):
        assert _columns(slim, table) == _columns(seed_crawl.db, table), table
        conn = sqlite3.connect(seed_crawl.db)
        rows = conn.execute(f"{left_out[table]} ORDER BY {order}").fetchall()
        conn.close()
        assert rows and _rows(slim, table, order) == rows, table
    # Stored coded: the views read tables of numbers and one table of strings.
    conn = sqlite3.connect(slim)
    kinds = dict(
        conn.execute(
            "SELECT name, type FROM sqlite_master WHERE name IN ('metrics', 'checks', 'slim_metrics')"
        )
    )
    conn.close()
    assert kinds == {"metrics": "view", "checks": "view", "slim_metrics": "table"}


def test_every_table_and_view_of_the_slim_file_is_described_in_the_metadata(
    release: Path,
) -> None:
    import yaml

    metadata = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text(encoding="utf-8"))
    described = metadata["databases"]["nianbao"]["tables"]
    conn = sqlite3.connect(release / "nianbao-data.db")
    names = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%'"
        )
    ]
    conn.close()
    for name in names:
        assert name in described, f"{name} has no metadata"
        columns = described[name].get("columns", {})
        for column in _columns(release / "nianbao-data.db", name):
            assert "·" in columns.get(column, ""), f"{name}.{column} lacks a bilingual description"
    rows = (release / "data-dictionary.csv").read_text("utf-8-sig")
    assert "slim_names" in rows and "export_info" in rows


def test_the_dictionary_labels_every_column_and_metric_key(
    seed_crawl: Crawl, release: Path
) -> None:
    rows = list(
        csv.DictReader(io.StringIO((release / "data-dictionary.csv").read_text("utf-8-sig")))
    )
    columns = {(r["table"], r["name"]) for r in rows if r["kind"] == "column"}
    for table in ("agencies", "reports", "metrics", "report_summary", "metrics_long"):
        expected = {(table, c) for c in _columns(seed_crawl.db, table) if c != "text"}
        assert expected <= columns, expected - columns
    conn = sqlite3.connect(seed_crawl.db)
    keys = {key for (key,) in conn.execute("SELECT key FROM metric_labels")}
    conn.close()
    labelled = {r["name"]: r for r in rows if r["kind"] == "metric_key"}
    assert set(labelled) == keys
    assert labelled["apply.new.total"]["label_zh"].startswith("一、本年新收")
    year = next(r for r in rows if r["table"] == "reports" and r["name"] == "year")
    assert (year["label_zh"], year["label_en"]) == ("报告年度", "Year reported on")
    markdown = (release / "data-dictionary.md").read_text(encoding="utf-8")
    assert "`apply.new.total`" in markdown and "## `agencies`" in markdown


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_wacz_is_a_wacz_1_2_with_every_file_hashed(seed_crawl: Crawl, release: Path) -> None:
    # Checked here against the WACZ 1.2.0 specification (specs.webrecorder.net/wacz/1.2.0), not
    # with the `wacz` package's validator, which knows 1.1.1 only (the export runs it on the
    # 1.1.1 file the package writes, before the manifest is made 1.2.0).
    with zipfile.ZipFile(release / "nianbao-archive.wacz") as archive:
        entries = {info.filename: info for info in archive.infolist()}
        manifest_bytes = archive.read("datapackage.json")
        manifest = json.loads(manifest_bytes)
        digest = json.loads(archive.read("datapackage-digest.json"))
        contents = {name: archive.read(name) for name in entries}
    assert (manifest["profile"], manifest["wacz_version"]) == ("wacz", "1.2.0")
    assert manifest["title"] and manifest["description"] and manifest["created"]
    assert digest == {"path": "datapackage.json", "hash": _sha256(manifest_bytes)}
    listed = {resource["path"]: resource for resource in manifest["resources"]}
    assert set(listed) == set(entries) - {"datapackage.json", "datapackage-digest.json"}
    for name, resource in listed.items():
        assert resource["bytes"] == len(contents[name]), name
        assert resource["hash"] == _sha256(contents[name]), name
    warcs = [name for name in entries if name.startswith("archive/")]
    assert warcs and all(name.endswith(".warc.gz") for name in warcs)
    for name in [*warcs, "indexes/index.cdx.gz"]:
        assert entries[name].compress_type == zipfile.ZIP_STORED, name
    conn = sqlite3.connect(seed_crawl.db)
    urls = {url for (url,) in conn.execute("SELECT url FROM reports")}
    conn.close()
    lines = contents["pages/pages.jsonl"].decode("utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "json-pages-1.0"
    pages = [json.loads(line) for line in lines[1:]]
    assert {page["url"] for page in pages} == urls
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page["ts"]) for page in pages)
    # The CDXJ index finds every report's response.
    index = gzip.decompress(contents["indexes/index.cdx.gz"]).decode("utf-8").splitlines()
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in index}
    assert urls <= indexed


def test_a_wacz_whose_warc_was_altered_is_refused(release: Path, tmp_path: Path) -> None:
    from archive.export import WaczError
    from archive.export.wacz import check_wacz

    altered = tmp_path / "altered.wacz"
    with zipfile.ZipFile(release / "nianbao-archive.wacz") as source:
        with zipfile.ZipFile(altered, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename.startswith("archive/"):
                    data = data[:-1] + bytes([data[-1] ^ 1])
                target.writestr(info, data)
    check_wacz(release / "nianbao-archive.wacz")
    with pytest.raises(WaczError, match="SHA-256 differs"):
        check_wacz(altered)


@pytest.fixture(scope="module")
def slim_site(release: Path) -> Iterator[str]:
    with served_datasette(release / "nianbao-data.db") as base:
        yield base


def test_the_slim_database_serves_its_queries_and_dashboard(
    slim_site: str, seed_crawl: Crawl
) -> None:
    conn = sqlite3.connect(seed_crawl.db)
    year, key = conn.execute(
        "SELECT r.year, m.key FROM metrics m JOIN reports r ON r.id = m.report_id "
        "WHERE m.key = 'apply.new.total' AND m.value IS NOT NULL AND r.is_primary = 1 "
        "AND r.doc_type = 'annual_report' LIMIT 1"
    ).fetchone()
    report_id = conn.execute("SELECT id FROM reports WHERE metric_count > 0 LIMIT 1").fetchone()[0]
    conn.close()
    query = urllib.parse.urlencode({"year": year, "key": key, "_shape": "array"})
    status, body = _get(f"{slim_site}/nianbao/ranking.json?{query}")
    assert status == 200 and json.loads(body), body[:500]
    assert _get(slim_site + "/-/dashboards/overview")[0] == 200
    status, body = _get(slim_site + "/nianbao/expected_reports.json?_shape=array")
    assert status == 200 and json.loads(body)
    status, page = _get(f"{slim_site}/-/report/{report_id}")
    assert status == 200 and 'class="template-table"' in page and 'class="no-text"' in page


def test_searching_the_slim_database_says_it_needs_the_full_one(slim_site: str) -> None:
    status, body = _get(slim_site + "/nianbao/search.json?q=" + urllib.parse.quote("年度报告"))
    assert status == 200
    assert "Full-text search needs the full database" in json.loads(body)["rows"][0][0]


def test_the_home_page_links_each_download_with_its_size(slim_site: str, release: Path) -> None:
    status, page = _get(slim_site + "/")
    assert status == 200 and "精简数据库" in page
    for name in ("nianbao-data.db", "metrics_long.csv", "agencies.parquet", "nianbao-archive.wacz"):
        assert f'href="/downloads/{name}"' in page, name
        assert f'data-bytes="{(release / name).stat().st_size}"' in page, name
    with urllib.request.urlopen(slim_site + "/downloads/agencies.csv", timeout=30) as response:
        assert response.read() == (release / "agencies.csv").read_bytes()


@pytest.fixture(scope="module")
def full_site(seed_crawl: Crawl, release: Path) -> Iterator[str]:
    _require_chromium()
    options = ("--archive", str(seed_crawl.archive), "--downloads", str(release))
    with served_datasette(seed_crawl.db, *options) as base:
        yield base


def test_the_report_page_link_replays_the_archived_original_in_chromium(
    full_site: str, seed_crawl: Crawl, tmp_path: Path
) -> None:
    conn = sqlite3.connect(seed_crawl.db)
    report_id, url, title = conn.execute(
        "SELECT id, url, title FROM reports WHERE content_type LIKE 'text/html%' "
        "AND title LIKE '%年度报告%' ORDER BY id LIMIT 1"
    ).fetchone()
    conn.close()
    off_site: list[str] = []
    with chromium_context(tmp_path / "chromium-profile") as browser:
        page = browser.new_page()
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((full_site, "data:", "about:"))
                else off_site.append(request.url)
            ),
        )
        page.goto(f"{full_site}/-/report/{report_id}")
        assert page.locator("a.original-url").get_attribute("href") == url
        page.click("a.archived-original-link")
        page.wait_for_load_state()
        assert page.locator("a.live-url").get_attribute("href") == url
        frame = page.frame_locator("#archived-original")
        frame.locator("body").wait_for()
        assert title[:12] in frame.locator("body").inner_text()
    assert not off_site, off_site


def test_the_archived_original_is_served_sandboxed_as_archived(
    full_site: str, seed_crawl: Crawl
) -> None:
    conn = sqlite3.connect(seed_crawl.db)
    report_id, warc_file, offset = conn.execute(
        "SELECT id, warc_file, warc_offset FROM reports WHERE content_type LIKE 'text/html%' LIMIT 1"
    ).fetchone()
    conn.close()
    from archive.warc_read import read_record

    archived = read_record(seed_crawl.archive, warc_file, offset)
    with urllib.request.urlopen(f"{full_site}/-/archived/{report_id}/original", timeout=30) as r:
        assert r.read() == archived.body
        assert r.headers["Content-Security-Policy"].startswith("sandbox")
        assert r.headers["Content-Type"] == archived.headers["content-type"]


def test_a_crawl_given_an_export_folder_writes_the_downloads_after_publishing(
    seed_crawl: Crawl, tmp_path: Path
) -> None:
    db, out = tmp_path / "nianbao.db", tmp_path / "release"
    run_nianbao(
        "crawl",
        "--sources",
        str(seed_crawl.sources),
        "--only",
        "sample-plain",
        "--db",
        str(db),
        "--archive",
        str(tmp_path / "archive"),
        "--export",
        str(out),
    )
    assert _count(db, "reports") > 0
    assert _count(out / "nianbao-data.db", "reports") == _count(db, "reports")
    listed = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert "metrics_long.parquet" in listed and "nianbao-archive.wacz" not in listed


def test_make_release_exports_the_data_folder_with_the_wacz(
    seed_crawl: Crawl, tmp_path: Path
) -> None:
    out = tmp_path / "release"
    # -o install: the venv running this test is the one the Makefile's targets use.
    result = subprocess.run(
        ["make", "-o", "install", "release", f"DATA={seed_crawl.db.parent}", f"RELEASE={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert _count(out / "nianbao-data.db", "reports") == _count(seed_crawl.db, "reports")
    assert "nianbao-archive.wacz" in (out / "SHA256SUMS").read_text(encoding="utf-8")
