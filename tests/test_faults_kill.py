"""kill -9 at three random moments of a crawl, resumed each time: the result equals an uninterrupted run.

The two-kill version in test_nightly.py kills at fixed report counts; this one draws three moments
(seeded) and checks the database contents, the archived report set and the WARC files.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import NIANBAO, ROOT, run_nianbao


def _content(db_path: Path) -> tuple[list, list]:
    db = sqlite3.connect(db_path)
    reports = db.execute(
        "select url, version, agency, year, template, content_sha256 from reports order by url"
    ).fetchall()
    metrics = db.execute(
        "select r.url, m.key, m.value from metrics m join reports r on r.id = m.report_id "
        "order by 1, 2"
    ).fetchall()
    db.close()
    return reports, metrics


def _reports(db_path: Path) -> int:
    try:
        db = sqlite3.connect(db_path, timeout=1)
        try:
            return db.execute("select count(*) from reports").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


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
        kills = 0
        for moment in moments:
            process = subprocess.Popen(
                [*NIANBAO, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                if _reports(killed_db) >= moment:
                    break
                time.sleep(0.1)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            kills += process.wait() == -signal.SIGKILL
        assert kills == 3, f"the crawl finished before its three kills (moments {moments})"
        run_nianbao(*args)  # resume to the end
        clean = ["crawl", "--sources", str(sources), "--db", str(clean_db)]
        run_nianbao(*clean, "--archive", str(tmp_path / "clean"), "--log-level", "ERROR")
        truth = {u for u, t in portal.truth.items() if t.metrics}

    killed, uninterrupted = _content(killed_db), _content(clean_db)
    assert killed == uninterrupted
    assert truth <= {row[0] for row in killed[0]}
    db = sqlite3.connect(killed_db)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.close()
    for path in sorted((tmp_path / "killed").glob("*.warc.gz")):
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True
        )
        assert check.returncode == 0, path.name
