"""The one worker mechanism (`archive.workers.ExtractionWorkers`) with real worker processes: results
in the order of the calls however long each takes, large messages both ways without a deadlock,
a call's exception raised in the caller, a dead worker named, fire-and-forget sends that never
block, and the same results with no workers at all.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from archive.processes import STREAM_BATCH, WorkerDied, streamed
from archive.workers import ExtractionWorkers, Ready


def echo_after(value: object, delay: float) -> object:
    time.sleep(delay)
    return value


def reversed_bytes(data: bytes) -> bytes:
    return data[::-1]


def refuse(value: int) -> int:
    raise ValueError(f"no {value}")


def own_pid() -> int:
    return os.getpid()


def test_results_come_back_in_the_order_of_the_calls_however_long_each_takes() -> None:
    # Every fourth call is slow: the least busy worker takes the next one, the order still holds.
    delays = [0.2 if i % 4 == 0 else 0.0 for i in range(24)]
    calls = [(i, (echo_after, (i, delay))) for i, delay in enumerate(delays)]
    calls.insert(5, ("ready", Ready("at hand")))
    with ExtractionWorkers(2, window=6) as workers:
        results = list(workers.in_order(calls))
    assert results == [(tag, "at hand" if tag == "ready" else tag) for tag, _ in calls]


def test_large_messages_both_ways_do_not_wedge_the_pipes() -> None:
    # Bigger than any pipe buffer, in both directions, several out at once.
    blobs = [bytes([i]) * (3 * 1024 * 1024 + i) for i in range(6)]
    with ExtractionWorkers(2) as workers:
        results = [
            r for _, r in workers.in_order((i, (reversed_bytes, (b,))) for i, b in enumerate(blobs))
        ]
    assert results == [b[::-1] for b in blobs]


def test_an_exception_in_a_call_is_raised_in_the_caller() -> None:
    with ExtractionWorkers(1) as workers, pytest.raises(ValueError, match="no 3"):
        list(workers.in_order([(3, (refuse, (3,)))]))


def test_a_worker_killed_while_owing_a_result_is_named() -> None:
    with ExtractionWorkers(1) as workers:
        ((_, pid),) = list(workers.in_order([(0, (own_pid, ()))]))
        results = workers.in_order([(1, (echo_after, (1, 30.0)))])
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerDied, match="ended"):
            list(results)


def test_a_send_to_a_worker_that_is_behind_returns_at_once() -> None:
    workers = ExtractionWorkers(1, idle=False)
    try:
        assert workers.send((time.sleep, (30.0,)))  # the worker is busy from now on
        started = time.monotonic()
        answers = [workers.send((time.sleep, (0.0,))) for _ in range(5000)]
        assert time.monotonic() - started < 10  # never waited for the worker
        assert answers[0] and not answers[-1]  # its pipe filled up: the rest were refused
    finally:
        workers.close(wait=0)
    assert not workers.send((time.sleep, (0.0,)))  # closed: nothing more is taken


def test_with_no_workers_the_calls_run_here_with_the_same_results() -> None:
    calls = [(i, (echo_after, (i * 2, 0.0))) for i in range(5)]
    with ExtractionWorkers(0) as workers:
        results = list(workers.in_order(calls))
        assert results == [(i, i * 2) for i in range(5)]
        assert list(workers.in_order([(0, (own_pid, ()))])) == [(0, os.getpid())]


def pids_then_refuse(count: int) -> Iterator[tuple[int, int, bytes]]:
    for index in range(count):
        yield index, os.getpid(), bytes([index % 256]) * 100_000
    raise ValueError(f"no {count}")


def test_a_streamed_generator_runs_in_another_process_and_its_error_follows_its_items() -> None:
    count = STREAM_BATCH * 2 + 5  # full batches and a part one, ~7 MB through the pipe
    items = []
    with pytest.raises(ValueError, match=f"no {count}"):
        for item in streamed(pids_then_refuse, (count,)):
            items.append(item)
    assert [index for index, _, _ in items] == list(range(count))
    assert {pid for _, pid, _ in items} != {os.getpid()} and len({p for _, p, _ in items}) == 1
    assert all(body == bytes([index % 256]) * 100_000 for index, _, body in items)


def test_a_streamed_generator_can_run_here() -> None:
    items = []
    with pytest.raises(ValueError, match="no 3"):
        for item in streamed(pids_then_refuse, (3,), in_process=False):
            items.append(item)
    assert [(index, pid) for index, pid, _ in items] == [(i, os.getpid()) for i in range(3)]
