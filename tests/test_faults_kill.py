"""kill -9 at three random moments of a crawl, resumed each time: the result equals an uninterrupted run.

Three moments drawn (seeded); checked: the database contents, the archived report set, no report
stored twice (every version 1), an intact database and WARC files that read whole.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from conftest import ROOT, run_nianbao
from warcio.archiveiterator import ArchiveIterator

from portal.kill_resume import after_reports, crawl_content, kill_and_resume, warc_failures

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


def test_three_kills_at_random_moments_resume_to_the_uninterrupted_result(tmp_path: Path) -> None:
    from portal.server import SamplePortal

    rng = random.Random(2024)
    with SamplePortal(synthetic=60, seed=9, include_seeds=False) as portal:
        sources = tmp_path / "sources.yaml"
        portal.write_sources(sources)
        killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
        args = ["crawl", "--sources", str(sources), "--db", str(killed_db)]
        args += ["--archive", str(tmp_path / "killed"), "--log-level", "ERROR"]
        args += ["-s", "DOWNLOAD_DELAY=0.05"]
        # three moments, as report counts reached, strictly increasing and well before the end
        moments = sorted(rng.sample(range(2, 45), 3))
        resumed = kill_and_resume(args, [after_reports(killed_db, n) for n in moments], cwd=ROOT)
        assert resumed.kills == 3, f"the crawl finished before its three kills (moments {moments})"
        assert resumed.resume.returncode == 0, resumed.resume.stderr[-8000:]
        clean = ["crawl", "--sources", str(sources), "--db", str(clean_db)]
        run_nianbao(*clean, "--archive", str(tmp_path / "clean"), "--log-level", "ERROR")
        truth = {u for u, t in portal.truth.items() if t.metrics}

    killed, uninterrupted = crawl_content(killed_db), crawl_content(clean_db)
    assert killed == uninterrupted
    assert truth <= {row[0] for row in killed[0]}
    db = sqlite3.connect(killed_db)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert {row[0] for row in db.execute("select version from reports")} == {1}
    db.close()
    assert warc_failures(tmp_path / "killed") == {}
    for path in sorted((tmp_path / "killed").glob("*.warc.gz")):
        with path.open("rb") as stream:
            assert sum(1 for _ in ArchiveIterator(stream)) >= 1, f"{path.name} holds no record"
