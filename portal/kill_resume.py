"""Kill a crawl with SIGKILL at chosen moments, resume it, and compare it with an uninterrupted one.

The crawl is the real `nianbao crawl` in a child process, as a user runs it. A moment is a
condition on the seconds since that process started (`after_seconds`) or on what it has stored
so far (`after_reports`); the crawl is killed when its moment comes, or when it has run
`give_up_s` without it. Used by `make faults` (bench/faults.py) and the kill tests
(tests/test_faults_kill.py, tests/test_nightly.py).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

NIANBAO = [sys.executable, "-m", "nianbao.cli"]

# Seconds since the crawl process started -> whether to kill it now.
Moment = Callable[[float], bool]


def after_seconds(seconds: float) -> Moment:
    return lambda elapsed: elapsed >= seconds


def after_reports(db_path: Path, count: int) -> Moment:
    return lambda _elapsed: reports_stored(db_path) >= count


def reports_stored(db_path: Path) -> int:
    """Reports in a crawl's database so far; 0 while it does not exist or is being created."""
    if not db_path.exists():
        return 0
    try:
        db = sqlite3.connect(db_path, timeout=1)
        try:
            return int(db.execute("select count(*) from reports").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


@dataclass
class Resumed:
    kills: int  # the crawls that were killed (not finished before their moment)
    resume: subprocess.CompletedProcess[str]  # the last run, to the end


def kill_and_resume(
    crawl_args: Sequence[str],
    moments: Iterable[Moment],
    *,
    cwd: Path,
    give_up_s: float = 60,
    poll_s: float = 0.05,
) -> Resumed:
    """Start `nianbao <crawl_args>` once per moment and SIGKILL it then; finally run it to the end."""
    command = [*NIANBAO, *crawl_args]
    kills = 0
    for moment in moments:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started = time.monotonic()
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if moment(elapsed) or elapsed >= give_up_s:
                break
            time.sleep(poll_s)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        kills += process.wait() == -signal.SIGKILL
    resume = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return Resumed(kills, resume)


def crawl_content(db_path: Path) -> tuple[list[tuple], list[tuple]]:
    """What two crawls of one portal must agree on: reports with their versions, and metrics."""
    db = sqlite3.connect(db_path)
    try:
        reports = db.execute(
            "select url, version, agency, year, template, content_sha256 from reports order by url"
        ).fetchall()
        metrics = db.execute(
            "select r.url, m.key, m.value from metrics m join reports r on r.id = m.report_id "
            "order by 1, 2"
        ).fetchall()
    finally:
        db.close()
    return reports, metrics


def warc_failures(archive: Path) -> dict[str, str]:
    """{file name: the end of warcio's complaint} for the archive's WARC files failing `warcio check`."""
    failures = {}
    for path in sorted(archive.glob("*.warc.gz")):
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True
        )
        if check.returncode != 0:
            failures[path.name] = (check.stdout + check.stderr)[-500:]
    return failures
