"""A crawl under the heavy fault mix, then a second run: every report accounted for, nothing lost.

The portal injects every fault kind at the `heavy` rates (plus a few permanently failing reports);
ground truth is the generator's values. After the first run each report is either stored with its
true metrics or has a failed page row with a reason; after the second run (whose recovery pass
retries what failed again) all but the permanently failing ones are stored, with no duplicates, an
intact database and valid WARC files.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_nianbao

from portal.accounting import Accounting, account

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

REPORTS = 90
SETTINGS = (
    "-s",
    "DOWNLOAD_TIMEOUT=2",
    "-s",
    "NIANBAO_RETRY_BASE_DELAY=0.1",
    "-s",
    "NIANBAO_RETRY_MAX_DELAY=1",
    "-s",
    "NIANBAO_MAX_LIST_PAGES=30",
)


@dataclass
class HeavyCrawl:
    truth: dict[str, dict]
    permanent: dict[str, str]
    injected: dict[str, int]
    first: Accounting
    second: Accounting
    db: Path
    archive: Path


@pytest.fixture(scope="module")
def heavy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeavyCrawl]:
    from portal.faults import parse_spec
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("heavy")
    spec = parse_spec("heavy,hold_s=3,permanent=0.03")
    with SamplePortal(synthetic=REPORTS, seed=17, include_seeds=False, faults=spec) as portal:
        assert portal.faults is not None
        sources, db, archive = work / "sources.yaml", work / "nianbao.db", work / "archive"
        portal.write_sources(sources)
        args = ["crawl", "--sources", str(sources), "--db", str(db), "--archive", str(archive)]
        args += ["--log-level", "ERROR", *SETTINGS]
        truth = {u: t.to_dict() for u, t in portal.truth.items() if t.metrics}
        run_nianbao(*args, check=False)
        first = account(db, portal)
        run_nianbao(*args, check=False)
        second = account(db, portal)
        permanent = portal.faults.permanent_urls()
        yield HeavyCrawl(truth, permanent, portal.faults.counts(), first, second, db, archive)


def test_the_heavy_mix_injects_many_kinds_of_fault(heavy: HeavyCrawl) -> None:
    assert len(heavy.injected) >= 8, heavy.injected
    assert heavy.permanent, "no report fails permanently at this scale and rate"


def test_after_the_first_run_every_report_is_stored_right_or_failed_with_a_reason(
    heavy: HeavyCrawl,
) -> None:
    assert not heavy.first.wrong
    assert not heavy.first.lost, heavy.first.lost[:5]
    assert set(heavy.permanent) <= set(heavy.first.failed)


def test_the_second_run_recovers_every_transient_failure_and_only_permanent_faults_remain(
    heavy: HeavyCrawl,
) -> None:
    # A report whose fault strikes again on the second run gets the recovery pass's attempts.
    assert not heavy.second.wrong and not heavy.second.lost
    assert set(heavy.second.archived) == set(heavy.truth) - set(heavy.permanent)
    assert set(heavy.second.failed) == set(heavy.permanent)
    assert all(reason for reason in heavy.second.failed.values())


def test_no_report_and_no_version_is_stored_twice(heavy: HeavyCrawl) -> None:
    db = sqlite3.connect(heavy.db)
    assert db.execute("select count(*) - count(distinct url) from reports").fetchone()[0] == 0
    assert db.execute("select max(version) from reports").fetchone()[0] == 1
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()


def test_every_warc_file_passes_warcio_check(heavy: HeavyCrawl) -> None:
    files = sorted(heavy.archive.glob("*.warc.gz"))
    assert files
    for path in files:
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True
        )
        assert check.returncode == 0, (path.name, check.stdout[-500:])
