"""`nianbao sources discover --from FILE.csv`: many portals at once, a source file and a review
table; `sources check --network --mark` then marks those that answer and those a crawl saw reports
from. Over loopback: the sample portal's three sites, a portal with no 年报 column, a dead one, one
robots.txt forbids."""

from __future__ import annotations

import csv
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import run_nianbao

from crawler.sources import load_sources

pytestmark = pytest.mark.slow

# A home page as small county portals have them: news and a 政务公开 page, but no 年报 column.
NO_COLUMN_PAGES = {
    "/": "<html><head><title>某某县人民政府</title></head><body>"
    "<a href='/xwzx/'>新闻中心</a> <a href='/zwgk/'>政务公开</a></body></html>",
    "/zwgk/": "<html><body><a href='/zwgk/tzgg/'>通知公告</a>"
    " <a href='/zwgk/rsxx/'>人事信息</a></body></html>",
}


class _NoColumn(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        page = NO_COLUMN_PAGES.get(self.path)
        body = (page or "not found").encode("utf-8")
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def no_column_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoColumn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_discover_from_a_list_writes_sources_and_a_review_table(
    no_column_site: str, tmp_path: Path
) -> None:
    from portal.server import SamplePortal

    with SamplePortal(synthetic=3, seed=5, include_seeds=False) as portal:
        dead = dead_url()
        listing = tmp_path / "portals.csv"
        with listing.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["agency", "home_url", "region", "level"])
            for site in portal.sites:
                writer.writerow([site.agency, site.base_url + "/", "示例省", "prefecture"])
            writer.writerow(["某某县人民政府", no_column_site, "", "county"])
            writer.writerow(["不通县人民政府", dead, "", ""])
            forbidden = portal.site("plain").base_url + "/admin/"  # robots.txt: Disallow /admin/
            writer.writerow(["禁止局", forbidden, "", ""])
        out, review = tmp_path / "found.yaml", tmp_path / "review.csv"
        result = run_nianbao(
            "sources", "discover", "--from", str(listing), "--out", str(out),
            "--review", str(review), "--delay", "0", "--concurrency", "3", "--allow-private",
        )  # fmt: skip
        assert "3 found, 1 guessed, 2 failed" in result.stdout

        sources = {s.start_urls[0]: s for s in load_sources(out)}
        rows = {row["home_url"]: row for row in csv.DictReader(review.open(encoding="utf-8"))}
        for line, site in enumerate(portal.sites, start=2):
            source = sources[site.base_url + "/"]
            # no CMS fingerprint (the plain site): the crawl detects the pager itself
            assert source.family == (site.family if site.family != "plain" else "auto")
            assert source.agency == site.agency
            assert source.column_urls and source.column_urls[0].startswith(site.base_url)
            assert source.level == "prefecture" and not source.verified
            assert f"portals.csv line {line}" in source.extra["provenance"]
            assert rows[site.base_url + "/"]["outcome"] == "found"
        guessed = sources[no_column_site]
        assert not guessed.column_urls and guessed.level == "county" and not guessed.verified
        assert "no 年报 column" in guessed.extra["provenance"]
        assert rows[no_column_site]["outcome"] == "guessed"
        assert dead not in sources
        assert rows[dead]["outcome"] == "failed" and "unreachable" in rows[dead]["problem"]
        assert forbidden not in sources and rows[forbidden]["outcome"] == "failed"
        assert "robots.txt disallows" in rows[forbidden]["problem"]

        # the sources that answer are marked; one crawled with reports becomes verified
        trs = next(s.id for s in sources.values() if s.family == "trs")
        db = tmp_path / "n.db"
        run_nianbao(
            "crawl", "--sources", str(out), "--only", trs, "--db", str(db),
            "--archive", str(tmp_path / "archive"), "--log-level", "WARNING",
        )  # fmt: skip
        checked = run_nianbao(
            "sources", "check", str(out), "--network", "--mark", "--db", str(db), check=False
        )
    assert checked.stdout.count("✓") == 4
    today = datetime.now(UTC).date()
    marked = {s.id: s for s in load_sources(out)}
    assert {str(s.extra.get("answered")) for s in marked.values()} == {today.isoformat()}
    assert [s.id for s in marked.values() if s.verified] == [trs]


def test_a_list_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    listing = tmp_path / "portals.csv"
    listing.write_text("name,website\n某局,http://a.gov.cn/\n", encoding="utf-8")
    result = run_nianbao("sources", "discover", "--from", str(listing), check=False)
    assert result.returncode != 0 and "agency and home_url" in result.stderr


def test_every_shipped_source_says_where_its_url_came_from() -> None:
    from conftest import ROOT

    for path in sorted((ROOT / "sources").glob("*.yaml")):
        for source in load_sources(path):
            assert str(source.extra.get("provenance", "")).strip(), (path.name, source.id)
