"""`nianbao sources discover` finds each family's report column; `sources check` names duplicates and dead portals."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import run_nianbao

from crawler.discovery import discover
from crawler.sources import load_sources

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

COLUMNS = {
    "trs": "/zwgk/zfxxgk/zfxxgknb/",
    "hanweb": "/col/col123/index.html",
    "plain": "/zwgk/ndbg/",
}


@pytest.fixture(scope="module")
def portal():
    from portal.server import SamplePortal

    with SamplePortal(synthetic=3, seed=5, include_seeds=False) as sample:
        yield sample


@pytest.mark.parametrize("family", ["trs", "hanweb", "plain"])
def test_discovery_finds_the_report_column_and_the_family(portal, family: str) -> None:
    site = portal.site(family)
    found = discover(site.base_url + "/")
    assert found.problem == ""
    assert found.column_url == site.base_url + COLUMNS[family]
    # A site with no CMS fingerprint is left to the crawl's own detection.
    assert found.family == (family if family != "plain" else "auto")


@pytest.mark.parametrize("family", ["trs", "plain"])
def test_discover_command_adds_an_unverified_source_that_crawls(
    portal, tmp_path: Path, family: str
) -> None:
    site = portal.site(family)
    out = tmp_path / "found.yaml"
    run_nianbao(
        "sources",
        "discover",
        site.base_url + "/",
        "--id",
        f"found-{family}",
        "--agency",
        site.agency,
        "--out",
        str(out),
        "--allow-private",
    )
    (source,) = load_sources(out)
    assert source.column_urls == (site.base_url + COLUMNS[family],) and not source.verified
    result = run_nianbao(
        "crawl",
        "--sources",
        str(out),
        "--db",
        str(tmp_path / "n.db"),
        "--archive",
        str(tmp_path / "a"),
        "--log-level",
        "WARNING",
        "--table",
    )
    assert f"found-{family}" in result.stdout and " ok " in result.stdout


def test_discovery_says_when_there_is_no_column(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    found = discover(f"http://127.0.0.1:{port}/")
    assert found.column_url is None and "unreachable" in found.problem


def test_sources_check_reports_duplicates_and_unreachable_portals(portal, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    live = portal.site("plain").base_url
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        f"  - {{id: a, agency: 甲局, family: plain, start_urls: ['{live}/'], allow_private: true}}\n"
        f"  - {{id: b, agency: 乙局, family: plain, start_urls: ['{live}/'], allow_private: true}}\n"
        f"  - {{id: c, agency: 丙局, family: trs, start_urls: ['http://127.0.0.1:{dead}/'], allow_private: true}}\n",
        encoding="utf-8",
    )
    result = run_nianbao("sources", "check", str(path), "--network", check=False)
    assert result.returncode == 1
    assert "b: " in result.stderr and "duplicate portal" in result.stderr
    assert f"c: http://127.0.0.1:{dead}/ unreachable" in result.stderr
    assert "a: " not in result.stderr.replace("duplicate portal", "")


def test_shipped_source_files_pass_the_offline_check() -> None:
    result = run_nianbao("sources", "check", "sources/real.yaml")
    assert "0 problem(s)" in result.stdout
