"""The recovery pass: a report that failed last run and fails again gets more attempts in this run.

Over real HTTP: faults are forced on chosen reports for their first N requests (the portal counts
each request it faults, by kind, so the counts say how many attempts the crawler made). Ground truth
is the portal generator's values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from conftest import reports_and_failures, run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

RECOVERY_ATTEMPTS = 2
CRAWL_SETTINGS = (
    "-s", "DOWNLOAD_TIMEOUT=2",
    "-s", "NIANBAO_RETRY_BASE_DELAY=0.1",
    "-s", "NIANBAO_RETRY_MAX_DELAY=0.5",
    "-s", f"NIANBAO_RECOVERY_ATTEMPTS={RECOVERY_ATTEMPTS}",
)  # fmt: skip


@dataclass
class RecoveryCrawl:
    twice_challenged: str  # challenged on its first two requests: fails run 1, recovered in run 2
    always_looping: str  # a redirect loop on every request
    first_failure_in_run_2: str  # archived in run 1, refused in run 2
    truth: dict[str, dict]
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]
    reports_after_first: dict[str, dict]
    reports_after_second: dict[str, dict]
    failures_after_second: dict[str, list[str]]


@pytest.fixture(scope="module")
def recovery_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecoveryCrawl]:
    from portal.faults import parse_spec
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("recovery")
    with SamplePortal(synthetic=8, seed=71, include_seeds=False, faults=parse_spec("")) as portal:
        assert portal.faults is not None
        pages = sorted(
            u
            for u, t in portal.truth.items()
            if t.metrics and not urlsplit(u).path.startswith("/uploads/")
        )
        challenged, looping, later = pages[:3]
        portal.faults.force(challenged, "challenge", attempts=2)
        portal.faults.force(looping, "redirect_loop", attempts=1000)
        sources, db = work / "sources.yaml", work / "nianbao.db"
        portal.write_sources(sources)
        args = ["crawl", "--sources", str(sources), "--db", str(db)]
        args += ["--archive", str(work / "archive"), "--log-level", "ERROR", *CRAWL_SETTINGS]
        run_nianbao(*args, check=False)
        counts_first = portal.faults.counts()
        reports_first, _ = reports_and_failures(db)
        portal.faults.force(later, "private_redirect", attempts=1000)
        run_nianbao(*args, check=False)
        counts_second = portal.faults.counts()
        reports_second, failures_second = reports_and_failures(db)
        yield RecoveryCrawl(
            twice_challenged=challenged,
            always_looping=looping,
            first_failure_in_run_2=later,
            truth={u: t.to_dict() for u, t in portal.truth.items() if t.metrics},
            counts_after_first=counts_first,
            counts_after_second=counts_second,
            reports_after_first=reports_first,
            reports_after_second=reports_second,
            failures_after_second=failures_second,
        )


def test_a_document_failing_for_the_first_time_gets_no_recovery_attempts(
    recovery_crawl: RecoveryCrawl,
) -> None:
    assert recovery_crawl.counts_after_first.get("challenge") == 1
    assert recovery_crawl.counts_after_first.get("redirect_loop") == 1
    assert recovery_crawl.twice_challenged not in recovery_crawl.reports_after_first
    # Archived before, refused now: a first failure, so one request only in the second run.
    assert recovery_crawl.counts_after_second.get("private_redirect") == 1


def test_a_document_that_failed_last_run_is_recovered_by_a_later_attempt_in_this_run(
    recovery_crawl: RecoveryCrawl,
) -> None:
    url = recovery_crawl.twice_challenged
    # Run 2: its ordinary request is challenged again, the first recovery attempt gets through.
    assert recovery_crawl.counts_after_second.get("challenge") == 2
    assert recovery_crawl.reports_after_second.get(url) == recovery_crawl.truth[url]["metrics"]


def test_recovery_attempts_are_capped_and_the_failure_keeps_its_reason(
    recovery_crawl: RecoveryCrawl,
) -> None:
    url = recovery_crawl.always_looping
    run_2_requests = (
        recovery_crawl.counts_after_second["redirect_loop"]
        - recovery_crawl.counts_after_first["redirect_loop"]
    )
    assert run_2_requests == 1 + RECOVERY_ATTEMPTS
    assert url not in recovery_crawl.reports_after_second
    reasons = recovery_crawl.failures_after_second.get(url, [])
    assert any("redirect loop" in reason for reason in reasons), reasons


def test_every_other_report_is_archived_with_its_true_metrics(
    recovery_crawl: RecoveryCrawl,
) -> None:
    expected = {
        u: t["metrics"]
        for u, t in recovery_crawl.truth.items()
        if u not in (recovery_crawl.always_looping,)
    }
    stored = {u: recovery_crawl.reports_after_second.get(u) for u in expected}
    assert stored == expected
