"""Shared fixtures: the sample portal on loopback and the real `nianbao` command run against it."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NIANBAO = [sys.executable, "-m", "nianbao.cli"]

# Extraction runs in this process and in each `nianbao` child, not in worker processes: the tests'
# crawls are small, and starting a fork server and its workers cost each of them two seconds.
# The tests about the workers ask for them (`-s NIANBAO_EXTRACT_WORKERS=2`, `workers=2`).
os.environ.setdefault("NIANBAO_EXTRACT_WORKERS", "0")
os.environ.setdefault("NIANBAO_EXTRACT_AHEAD_WORKERS", "0")
# Retries back off as they do in production, only faster: the sample portal answers at once, and a
# source failing on purpose (HTTP 500 everywhere) waited seconds per request for nothing.
os.environ.setdefault("NIANBAO_RETRY_BASE_DELAY", "0.1")
os.environ.setdefault("NIANBAO_RETRY_MAX_DELAY", "0.5")


# Under `make test` (`--dist loadfile --no-loadscope-reorder`) a file runs whole on one worker and
# files are handed out in collection order: the heaviest go first, so the run does not end with one
# worker deep in a crawl while the others idle (xdist's own order, most tests first, started these
# files last and left a minute's tail). Ranked by the summed test times of a whole run (junit XML,
# 2026-12-07); a file missing from the list only runs later, nothing else changes.
HEAVIEST_FILES_FIRST = (
    "test_nightly.py",
    "test_nightly_fresh.py",
    "test_faults_heavy.py",
    "test_portal_extra_formats.py",
    "test_bench_smoke.py",
    "test_redis_distributed.py",
    "test_crawl_terminal.py",
    "test_crawl_styles.py",
    "test_faults_kill.py",
    "test_browser_peers.py",
    "test_ocr.py",
    "test_synthetic_crawl.py",
    "test_export.py",
    "test_publish_quiet_night.py",
    "test_faults_recovery.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest files first, then the other slow ones, then the in-process tests (a stable sort:
    a file's tests stay together and in their order)."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        if name in HEAVIEST_FILES_FIRST:
            return HEAVIEST_FILES_FIRST.index(name)
        return len(HEAVIEST_FILES_FIRST) + (0 if item.get_closest_marker("slow") else 1)

    items.sort(key=rank)


def run_nianbao(
    *args: str, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as a user would, in a child process (Scrapy's reactor is one per process)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run(
        [*NIANBAO, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"nianbao {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-8000:]}"
        )
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_datasette(db: Path, *options: str, start_seconds: float = 60) -> Iterator[str]:
    """`nianbao serve --db DB` in a child process, as a user starts it; yields its base URL once
    it answers, and stops it afterwards. Its output goes to a file beside the database: a pipe
    nobody reads fills up with Datasette's tracebacks and stalls the server."""
    port = free_port()
    log_path = db.with_name(f"{db.stem}.serve-{port}.log")
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*NIANBAO, "serve", "--db", str(db), "--port", str(port), *options],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_seconds
            while True:
                try:
                    urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).read()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        server.kill()
                        output = log_path.read_text(encoding="utf-8", errors="replace")
                        pytest.fail(f"nianbao serve did not start:\n{output[-4000:]}")
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def reports_and_failures(db_path: Path) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """{report URL: {metric key: value}} and {URL: failure reasons} of a crawl's database."""
    db = sqlite3.connect(db_path)
    try:
        reports = {
            url: dict(db.execute("select key, value from metrics where report_id = ?", [rid]))
            for url, rid in db.execute("select url, id from reports")
        }
        failures: dict[str, list[str]] = {}
        for url, reason in db.execute("select url, reason from pages where outcome = 'failed'"):
            failures.setdefault(url, []).append(reason or "")
        return reports, failures
    finally:
        db.close()


@dataclass
class Crawl:
    """One finished crawl: where its database and archive are, and the portal it crawled."""

    portal: object
    sources: Path
    db: Path
    archive: Path
    output: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def seed_portal() -> Iterator[object]:
    """The sample portal with the five seeds and a few synthetic reports, on free ports."""
    from portal.server import SamplePortal

    portal = SamplePortal(synthetic=12, seed=7, base_port=0, include_seeds=True)
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture(scope="session")
def seed_crawl(seed_portal: object, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """`nianbao crawl` over the seed portal, run once for the session."""
    work = tmp_path_factory.mktemp("seed-crawl")
    sources = work / "sources.yaml"
    seed_portal.write_sources(sources)  # type: ignore[attr-defined]
    db, archive = work / "nianbao.db", work / "archive"
    output = run_nianbao(
        "crawl",
        "--sources",
        str(sources),
        "--db",
        str(db),
        "--archive",
        str(archive),
        "--log-level",
        "WARNING",
    )
    return Crawl(seed_portal, sources, db, archive, output)


@pytest.fixture(scope="session")
def office() -> Iterator[object]:
    """This process's LibreOffice converter (the one extraction uses), started once per session.

    Missing LibreOffice skips the tests that need it; with CI=true it fails them.
    """
    from pipeline.extraction.attachments.office_converter import shared_converter

    converter = shared_converter()
    problem = converter.start()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    yield converter
    converter.close()


# The nightly tests' own portal, a fixture for both of their modules (imported last: the helper
# module uses run_nianbao above).
from nightly_portal import fresh_nightly  # noqa: E402, F401
