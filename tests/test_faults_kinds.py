"""Each injected fault kind, forced on its own report, handled as it should be — over real HTTP.

One portal, one report per fault kind (the fault hits that report's first request only), a calendar
trap on every list column, and two crawls: the first must retry what a retry cures and record every
other fault as a failure with its reason; the second must recover them all. Ground truth is the
portal generator's values.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import reports_and_failures, run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

RETRIED = ("5xx", "429", "timeout", "reset", "truncate", "drip", "charset")
FAILED_FIRST = {
    "redirect_loop": "redirect loop",
    "private_redirect": "refused: redirect to",
    "challenge": "blocked",
    "gzip_bomb": "decompression bomb",
    "oversize": "larger than download max size",
}
LIST_CAP = 12
CRAWL_SETTINGS = (
    "-s",
    "DOWNLOAD_TIMEOUT=2",
    "-s",
    "NIANBAO_RETRY_BASE_DELAY=0.1",
    "-s",
    "NIANBAO_RETRY_MAX_DELAY=1",
    "-s",
    f"NIANBAO_MAX_LIST_PAGES={LIST_CAP}",
)


@dataclass
class FaultCrawl:
    forced: dict[str, str]  # kind -> report URL
    truth: dict[str, dict]
    allowed: set[str]
    counts: dict[str, int]
    served_counts: dict[str, int]
    first: dict[str, dict] = field(default_factory=dict)  # url -> metrics after the first run
    first_failures: dict[str, list[str]] = field(default_factory=dict)
    second: dict[str, dict] = field(default_factory=dict)
    list_pages: dict[str, int] = field(default_factory=dict)
    cap_failures: list[str] = field(default_factory=list)
    db: Path = Path()


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultCrawl]:
    from portal.faults import parse_spec
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("fault-kinds")
    spec = parse_spec("trap=1,hold_s=3,drip_s=0.5")
    with SamplePortal(synthetic=30, seed=61, include_seeds=False, faults=spec) as portal:
        assert portal.faults is not None
        pages = sorted(
            u
            for u, t in portal.truth.items()
            if t.metrics and not urlsplit(u).path.startswith("/uploads/")
        )
        files = sorted(u for u, t in portal.truth.items() if t.metrics and u not in pages)
        kinds = [*RETRIED, *(k for k in FAILED_FIRST if k != "oversize")]
        forced = dict(zip(kinds, pages, strict=False))
        forced["oversize"] = files[0]
        assert len(forced) == len(RETRIED) + len(FAILED_FIRST)
        for kind, url in forced.items():
            portal.faults.force(url, kind)
        sources, db = work / "sources.yaml", work / "nianbao.db"
        portal.write_sources(sources)
        args = ["crawl", "--sources", str(sources), "--db", str(db)]
        args += ["--archive", str(work / "archive"), "--log-level", "ERROR", *CRAWL_SETTINGS]
        run_nianbao(*args, check=False)
        first, first_failures = reports_and_failures(db)
        run_nianbao(*args, check=False)
        second, _ = reports_and_failures(db)
        with urllib.request.urlopen(portal.sites[0].base_url + "/-/faults") as response:
            served = json.load(response)
        crawl = FaultCrawl(
            forced=forced,
            truth={u: t.to_dict() for u, t in portal.truth.items() if t.metrics},
            allowed={urlsplit(s.base_url).netloc for s in portal.sites},
            counts=portal.faults.counts(),
            served_counts=served,
            first=first,
            first_failures=first_failures,
            second=second,
            db=db,
        )
    conn = sqlite3.connect(db)
    crawl.list_pages = dict(
        conn.execute(
            "select source_id, count(distinct url) from pages where role = 'list' "
            "and outcome != 'failed' group by source_id"
        ).fetchall()
    )
    crawl.cap_failures = [
        r[0]
        for r in conn.execute(
            "select source_id from pages where outcome = 'failed' and reason like '%pagination cap%'"
        )
    ]
    conn.close()
    yield crawl


@pytest.mark.parametrize("kind", RETRIED)
def test_retryable_fault_on_a_report_still_yields_its_true_metrics_in_the_same_run(
    fault_crawl: FaultCrawl, kind: str
) -> None:
    url = fault_crawl.forced[kind]
    assert fault_crawl.counts.get(kind, 0) >= 1, f"{kind} was never injected"
    assert url in fault_crawl.first, f"{kind}: {url} not stored after the first run"
    assert fault_crawl.first[url] == fault_crawl.truth[url]["metrics"]


@pytest.mark.parametrize("kind", sorted(FAILED_FIRST))
def test_unretryable_fault_is_recorded_as_failed_with_its_reason_then_recovered(
    fault_crawl: FaultCrawl, kind: str
) -> None:
    url = fault_crawl.forced[kind]
    assert fault_crawl.counts.get(kind, 0) >= 1, f"{kind} was never injected"
    assert url not in fault_crawl.first
    reasons = fault_crawl.first_failures.get(url, [])
    assert any(FAILED_FIRST[kind] in reason for reason in reasons), reasons
    assert fault_crawl.second.get(url) == fault_crawl.truth[url]["metrics"]


def test_every_report_is_stored_with_its_true_metrics_after_the_second_run(
    fault_crawl: FaultCrawl,
) -> None:
    wrong = [u for u, t in fault_crawl.truth.items() if fault_crawl.second.get(u) != t["metrics"]]
    assert not wrong


def test_calendar_trap_is_cut_at_the_list_page_cap_and_the_cut_recorded(
    fault_crawl: FaultCrawl,
) -> None:
    assert fault_crawl.counts.get("trap", 0) > 0
    assert set(fault_crawl.cap_failures) == {"sample-trs", "sample-hanweb", "sample-plain"}
    assert all(n <= LIST_CAP for n in fault_crawl.list_pages.values()), fault_crawl.list_pages


def test_no_request_ever_leaves_the_allowed_hosts(fault_crawl: FaultCrawl) -> None:
    from warcio.archiveiterator import ArchiveIterator

    hosts = set()
    for path in sorted((fault_crawl.db.parent / "archive").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if uri and record.rec_type in ("request", "response"):
                    hosts.add(urlsplit(uri).netloc)
    assert hosts and hosts <= fault_crawl.allowed, hosts - fault_crawl.allowed


def test_fault_counts_are_served_as_json_at_the_faults_endpoint(fault_crawl: FaultCrawl) -> None:
    assert fault_crawl.served_counts == fault_crawl.counts
    assert set(fault_crawl.forced) <= set(fault_crawl.served_counts)
