"""Distributed crawls on a real redis-server: two workers, one queue, the same database as one worker.

Each test starts Debian's `redis-server` on a free loopback port (with CI=true a missing server
fails the run instead of skipping). The workers are the real `nianbao crawl --redis`, in child
processes; the database is then built with `nianbao rebuild` over their shared archive and compared
with a single-worker crawl of the same sample portal.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from conftest import NIANBAO, ROOT, run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

REPORTS = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        message = "redis-server is not installed (make system-deps installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    import redis

    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def portal() -> Iterator[object]:
    from portal.server import SamplePortal

    with SamplePortal(synthetic=REPORTS, seed=23, include_seeds=False) as sample:
        yield sample


@pytest.fixture(scope="module")
def single_db(portal: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database of an ordinary one-process crawl of the portal."""
    work = tmp_path_factory.mktemp("single")
    sources = work / "sources.yaml"
    portal.write_sources(sources)  # type: ignore[attr-defined]
    db = work / "nianbao.db"
    run_nianbao(
        "crawl", "--sources", str(sources), "--db", str(db), "--archive", str(work / "archive"),
        "--log-level", "WARNING",
    )  # fmt: skip
    return db


def _worker(
    sources: Path, db: Path, archive: Path, redis_url: str, key: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *NIANBAO, "crawl", "--sources", str(sources), "--db", str(db),
            "--archive", str(archive), "--redis", redis_url, "--crawl-key", key,
            "--log-level", "WARNING", "-s", "NIANBAO_REDIS_HEARTBEAT_TTL=2",
            # A worker takes up to CONCURRENT_REQUESTS from the queue at once; the sample portal
            # has one host per family, so two keeps the work shared between the workers.
            "-s", "CONCURRENT_REQUESTS=2",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _finish(process: subprocess.Popen[str], timeout: float = 150) -> None:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, (
        f"worker exited {process.returncode}\n{stdout}\n{stderr[-6000:]}"
    )


def _rebuilt(archive: Path, sources: Path, db: Path) -> Path:
    run_nianbao(
        "rebuild", "--archive", str(archive), "--db", str(db), "--sources", str(sources),
        "--no-progress",
    )  # fmt: skip
    return db


def _contents(db_path: Path) -> dict[str, list[tuple]]:
    """What a crawl is for, without when or where it was fetched."""
    db = sqlite_utils.Database(db_path)
    queries = {
        "reports": "select url, agency, year, title, doc_type, template, content_sha256,"
        " extraction_status, metric_count, failed_checks, version from reports",
        "metrics": "select r.url, m.key, m.value, m.raw from metrics m join reports r"
        " on r.id = m.report_id",
        "checks": "select r.url, c.rule, c.passed, c.expected, c.printed from checks c join"
        " reports r on r.id = c.report_id",
    }
    return {name: sorted(db.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}


def _fetches(archive: Path) -> Counter[str]:
    from archive.warc_read import iter_archived

    # robots.txt is fetched by each process for itself, outside the shared queue.
    return Counter(doc.url for doc in iter_archived(archive) if not doc.url.endswith("/robots.txt"))


def _workers_in(archive: Path) -> set[str]:
    # <prefix>-<UTC time>-<pid>-<serial>.warc.gz, the prefix naming the worker
    names = {"-".join(p.name.split("-")[:-3]) for p in archive.glob("nianbao-*.warc.gz")}
    return names - {"nianbao-run"}


def _setup(portal: object, tmp_path: Path) -> tuple[Path, Path]:
    sources = tmp_path / "sources.yaml"
    portal.write_sources(sources)  # type: ignore[attr-defined]
    return sources, tmp_path / "archive"


def test_two_workers_build_the_database_of_one(
    portal: object, single_db: Path, redis_url: str, tmp_path: Path
) -> None:
    sources, archive = _setup(portal, tmp_path)
    workers = [
        _worker(sources, tmp_path / f"worker{n}.db", archive, redis_url, "two-workers")
        for n in (1, 2)
    ]
    for process in workers:
        _finish(process)
    assert len(_workers_in(archive)) == 2, "both workers should have fetched something"
    rebuilt = _rebuilt(archive, sources, tmp_path / "nianbao.db")
    single = _contents(single_db)
    assert len(single["reports"]) >= REPORTS
    assert _contents(rebuilt) == single


def test_no_url_is_fetched_twice_by_two_workers(
    portal: object, redis_url: str, tmp_path: Path
) -> None:
    sources, archive = _setup(portal, tmp_path)
    workers = [
        _worker(sources, tmp_path / f"worker{n}.db", archive, redis_url, "no-twice") for n in (1, 2)
    ]
    for process in workers:
        _finish(process)
    fetched = _fetches(archive)
    assert fetched, "nothing was archived"
    assert [url for url, n in fetched.items() if n > 1] == []


def test_killed_worker_loses_nothing(
    portal: object, single_db: Path, redis_url: str, tmp_path: Path
) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    sources, archive = _setup(portal, tmp_path)
    key = "killed"
    first = _worker(sources, tmp_path / "first.db", archive, redis_url, key)
    doomed = _worker(sources, tmp_path / "doomed.db", archive, redis_url, key)
    pattern = f"nianbao:{key}:*:inflight:*-{doomed.pid}"

    def doomed_holds_requests_first_could_take_over() -> bool:
        for inflight in client.scan_iter(pattern):
            # Killed after seeding, while the first worker is still on that family's crawl.
            spider = inflight.decode().split(":inflight:")[0]
            members = {m.decode() for m in client.smembers(f"{spider}:workers")}
            if (
                client.hlen(inflight)
                and client.get(f"{spider}:seeded") == b"done"
                and any(m.endswith(f"-{first.pid}") for m in members)
            ):
                return True
        return False

    deadline = time.monotonic() + 120
    while not doomed_holds_requests_first_could_take_over():
        assert doomed.poll() is None, "the worker finished before it could be killed"
        assert time.monotonic() < deadline, "the worker never had a request in flight"
        time.sleep(0.02)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    _finish(first)
    assert not list(client.scan_iter(f"nianbao:{key}:*")), "the last worker leaves no keys"
    rebuilt = _rebuilt(archive, sources, tmp_path / "nianbao.db")
    assert _contents(rebuilt) == _contents(single_db)


def _crawl_keys(client: object, prefix: str) -> list[str]:
    return sorted(k.decode() for k in client.scan_iter(f"{prefix}:*"))  # type: ignore[attr-defined]


def test_an_idle_worker_killed_after_the_last_one_left_leaves_no_keys(redis_url: str) -> None:
    """The race of issue 17, in the order the load produced it: both workers idle on one spider,
    the other one leaves last and clears the crawl, then the idle one's heartbeat ticks once more
    and it is killed before its own close."""
    import redis

    from crawler.distributed import Coordinator

    client = redis.Redis.from_url(redis_url)
    prefix = "nianbao:idle-beat:trs"
    last, idle = (Coordinator(client, prefix, name, ttl=30) for name in ("last", "idle"))
    last.heartbeat()
    idle.heartbeat()
    assert last.claim_seeding()
    last.seeding_done()
    last.leave()  # nothing queued, nothing in flight, seeding done: the crawl is over
    idle.heartbeat()  # its tick, between the clear and its own close; then SIGKILL
    assert _crawl_keys(client, prefix) == []


def test_the_last_worker_clears_a_killed_worker_heartbeat_that_has_not_expired(
    redis_url: str,
) -> None:
    import redis

    from crawler.distributed import Coordinator

    client = redis.Redis.from_url(redis_url)
    prefix = "nianbao:fresh-beat:trs"
    last, killed = (Coordinator(client, prefix, name, ttl=30) for name in ("last", "killed"))
    last.heartbeat()
    killed.heartbeat()  # then SIGKILL, holding nothing: its heartbeat has 30 s to live
    assert last.claim_seeding()
    last.seeding_done()
    last.leave()
    assert _crawl_keys(client, prefix) == []


def test_a_worker_reaped_while_stalled_joins_again_with_its_next_heartbeat(redis_url: str) -> None:
    """A worker whose heartbeat lapsed (a long pause under load) is taken for dead and its
    in-flight requests requeued; when it wakes up the crawl is still on, so it is a worker again."""
    import redis

    from crawler.distributed import Coordinator

    client = redis.Redis.from_url(redis_url)
    prefix = "nianbao:stalled:trs"
    live = Coordinator(client, prefix, "live", ttl=30)
    stalled = Coordinator(client, prefix, "stalled", ttl=1)
    live.heartbeat()
    stalled.heartbeat()
    assert live.claim_seeding()
    live.seeding_done()
    client.zadd(stalled.queue_key, {b"request": 0})
    assert stalled.pop() is not None
    while client.exists(stalled.alive_key()):  # its 1 s heartbeat expires on the server
        time.sleep(0.05)
    assert live.requeue_dead() == 1
    assert live.others() == []
    stalled.heartbeat()
    assert live.others() == ["stalled"]
    assert live.work_left()  # the requeued request
    client.delete(*_crawl_keys(client, prefix))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_a_seeder_killed_before_it_finished_seeding_is_taken_over_by_one_worker(
    redis_url: str,
) -> None:
    """Each family is seeded by one worker; one killed mid-seeding (its heartbeat gone) would
    leave the start requests it never pushed uncrawled, so exactly one other worker seeds again."""
    import redis

    from crawler.distributed import Coordinator

    client = redis.Redis.from_url(redis_url)
    prefix = "nianbao:reseed:trs"
    seeder, first, second = (Coordinator(client, prefix, name, ttl=30) for name in ("s", "a", "b"))
    for coordinator in (seeder, first, second):
        coordinator.heartbeat()
    assert seeder.claim_seeding()
    assert not first.take_over_seeding()  # the seeder is alive: it is still seeding
    assert not seeder.take_over_seeding()  # nor does the seeder take over from itself
    client.delete(seeder.alive_key())  # killed: its heartbeat is gone
    assert first.take_over_seeding()
    assert not second.take_over_seeding()  # one worker wins
    assert not first.seeding_finished()
    first.seeding_done()
    assert not second.take_over_seeding()  # done is done
    client.delete(*_crawl_keys(client, prefix))
