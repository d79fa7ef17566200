"""What `nianbao crawl` prints: a progress line and the run table on a terminal, nothing under
cron unless something failed, and Scrapy's own log with -v."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest
from conftest import NIANBAO, ROOT, run_nianbao

from crawler.extensions.progress import progress_counts, progress_line

pytestmark = pytest.mark.slow


def _crawl_args(portal: object, work: Path) -> list[str]:
    sources = work / "sources.yaml"
    portal.write_sources(sources)  # type: ignore[attr-defined]
    return [
        "crawl",
        "--sources",
        str(sources),
        "--db",
        str(work / "n.db"),
        "--archive",
        str(work / "a"),
    ]


def _run_on_terminal(args: list[str]) -> str:
    """Run the command with a pseudo-terminal as its standard output and error, as a person's
    shell does; return everything it wrote there."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NIANBAO_PROGRESS_INTERVAL": "0.2"}
    child = subprocess.Popen(
        [*NIANBAO, *args],
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=600) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_counts_sum_the_run_wide_keys_only() -> None:
    stats = {
        "response_received_count": 40,
        "nianbao/change/new": 7,
        "nianbao/change/unchanged": 3,
        "nianbao/source/a/change/new": 7,
        "nianbao/failure/http-error": 2,
        "nianbao/fetch_failed/TimeoutError": 1,
        "nianbao/source/a/failed": 2,
    }
    assert progress_counts(stats) == (40, 10, 3)
    assert (
        progress_line(1204, 311, 2, 14.83)
        == "pages 1,204 · reports 311 · failures 2 · 14.8 pages/s"
    )


def test_a_terminal_gets_the_progress_line_and_the_run_table(
    seed_portal: object, tmp_path: Path
) -> None:
    shown = _run_on_terminal(_crawl_args(seed_portal, tmp_path))
    assert "\rpages " in shown and " reports " in shown and " pages/s" in shown
    assert "crawl run " in shown and "source" in shown  # the run table
    assert "Dumping Scrapy stats" not in shown and "[scrapy" not in shown


def test_cron_output_is_empty_when_nothing_failed(seed_portal: object, tmp_path: Path) -> None:
    result = run_nianbao(*_crawl_args(seed_portal, tmp_path))
    assert result.stdout == ""
    assert "pages/s" not in result.stderr and "Dumping Scrapy stats" not in result.stderr


def test_components_switched_off_on_purpose_log_no_warning(
    seed_portal: object, tmp_path: Path
) -> None:
    # `make demo` crawls at --log-level WARNING: the progress line off (no terminal), no earlier
    # failures to retry (first run) are normal, and Scrapy logs a NotConfigured message as a warning.
    result = run_nianbao(*_crawl_args(seed_portal, tmp_path), "--log-level", "WARNING")
    assert "Disabled" not in result.stderr, result.stderr[-2000:]


def test_verbose_brings_back_scrapys_log(seed_portal: object, tmp_path: Path) -> None:
    result = run_nianbao(*_crawl_args(seed_portal, tmp_path), "-v")
    assert "Dumping Scrapy stats" in result.stderr
    assert "pages/s" not in result.stderr
