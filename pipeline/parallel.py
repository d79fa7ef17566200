"""Extraction on every core: `process_fetched` in worker processes, for the crawl and for loading.

Extraction is pure, CPU-bound Python, so it runs in processes, never threads (a thread holds the
GIL against whatever else the process does). Two users share the worker set-up here:
`crawler.extraction_pool` answers one document at a time as Twisted Deferreds (extraction during
the fetch), and `ProcessInOrder` streams many documents through the workers and hands the results
back in the order they went in (loading after the fetch, `nianbao load` and `nianbao rebuild`,
where the order of the fetches decides versions and withdrawals).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.context import ForkServerContext
from typing import Any, TypeAlias, TypeVar

from archive.records import FetchedDocument
from archive.warc_read import WarcReadError, read_record
from pipeline.ingest import outcome_without_extraction, process_fetched
from pipeline.report import ExtractedReport

# pdfminer logs every token it parses at DEBUG; under Scrapy's logging (the root logger lets
# everything through to its handler, which drops it) building those records tripled a PDF's
# extraction time. Its warnings still show.
QUIET_LOGGERS = ("pdfminer", "pdfplumber")

# What a worker sends back: outcome, reason and report (the document, body and all, stays home).
Extracted = tuple[str, str, ExtractedReport | None]
Tag = TypeVar("Tag")


def quiet_extraction_loggers() -> None:
    """Stop the PDF libraries' parser tracing from costing time in this process."""
    for name in QUIET_LOGGERS:
        log = logging.getLogger(name)
        if log.level < logging.INFO:
            log.setLevel(logging.INFO)


def default_workers() -> int:
    return os.cpu_count() or 1


def pool_workers(settings: Any) -> int:
    """Worker processes asked for by NIANBAO_EXTRACT_WORKERS (default: the CPU count)."""
    value = settings.get("NIANBAO_EXTRACT_WORKERS")
    if value in (None, ""):
        return default_workers()
    return max(int(value), 0)


def extract_job(
    doc: FetchedDocument, source_agency: str | None, known_sha256: str | None
) -> Extracted:
    """The worker's job: what `process_fetched` makes of `doc`, without the document itself."""
    processed = process_fetched(doc, source_agency, known_sha256)
    return processed.outcome, processed.reason, processed.report


def extract_record(
    archive_dir: str,
    warc_file: str,
    warc_offset: int,
    source_agency: str | None,
    known_sha256: str | None,
) -> tuple[FetchedDocument, Extracted] | WarcReadError:
    """The worker's job given a WARC record's place: the document (without its body) and what
    `process_fetched` makes of it, or why the record cannot be read back. Reading it here keeps
    the reading off the loading process and the body off the pipe between them."""
    try:
        doc = read_record(archive_dir, warc_file, warc_offset)
    except WarcReadError as exc:
        return exc
    return replace(doc, body=b""), extract_job(doc, source_agency, known_sha256)


def needs_extraction(doc: FetchedDocument, known_sha256: str | None) -> bool:
    """Whether `process_fetched` would extract `doc` (everything else is settled cheaply here)."""
    if outcome_without_extraction(doc) is not None:
        return False
    return known_sha256 is None or known_sha256 != doc.sha256


def warm_up() -> None:
    """Imported at worker start: extraction's modules and compiled patterns."""
    import pipeline.extract  # noqa: F401


def process_alive(pid: int) -> bool:
    """Whether a process `pid` exists (one owned by someone else counts: a pid is not reused
    that soon in practice)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit_when_orphaned(parent_pid: int, interval: float = 1.0) -> None:
    """End this worker once its parent is gone (a kill -9 gives the pool no time to stop it, and
    the worker's own end of the job queue keeps it waiting for ever)."""
    while True:
        time.sleep(interval)
        if not process_alive(parent_pid):
            os._exit(1)


def _worker_init(parent_pid: int) -> None:
    quiet_extraction_loggers()
    warm_up()
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()


def worker_context() -> ForkServerContext:
    """How extraction processes start: forkserver, not fork. The crawl process runs threads
    (Twisted's pool, sqlite), and a child forked while one of them holds a lock would hang on it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.ingest", "pipeline.extract"])
    return context


def start_workers(workers: int) -> ProcessPoolExecutor:
    """`workers` extraction processes, started now so their imports overlap other work."""
    context = worker_context()
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    for _ in range(workers):
        executor.submit(warm_up)
    return executor


# A document, the agency of its source, and the SHA-256 of the version stored for its URL.
Job = tuple[FetchedDocument, "str | None", "str | None"]


@dataclass(frozen=True)
class Ready:
    """A result already at hand: `ProcessInOrder.in_order` passes it on in its turn."""

    value: Any


# A function of this module's workers and its arguments (all picklable), or a result at hand.
Call: TypeAlias = "tuple[Callable[..., Any], tuple[Any, ...]] | Ready"


class ProcessInOrder:
    """`extract_job` over a stream of jobs on `workers` processes, results in the jobs' order.

    At most `window` jobs are out at once, so memory stays bounded however long the stream is;
    with `workers` = 0 the jobs run here, one after another.
    """

    def __init__(self, workers: int, window: int | None = None) -> None:
        self.workers = workers
        self.window = window or max(workers, 1) * 8
        self._executor = start_workers(workers) if workers > 0 else None

    def __enter__(self) -> ProcessInOrder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def map(self, jobs: Iterable[tuple[Tag, Job]]) -> Iterator[tuple[Tag, Job, Extracted]]:
        """For each `(tag, job)`, in order: the tag, the job and what the worker made of it."""

        def calls() -> Iterator[tuple[tuple[Tag, Job], Call]]:
            for tag, job in jobs:
                if needs_extraction(job[0], job[2]):
                    yield (tag, job), (extract_job, job)
                else:  # settled without extraction: no round trip to a worker
                    yield (tag, job), Ready(extract_job(*job))

        for (tag, job), result in self.in_order(calls()):
            yield tag, job, result

    def in_order(self, calls: Iterable[tuple[Tag, Call]]) -> Iterator[tuple[Tag, Any]]:
        """For each `(tag, call)`, in order: the tag and the call's result, computed on a worker
        (a `Ready` value is passed through as it is)."""
        out: deque[tuple[Tag, Future[Any]]] = deque()
        for tag, call in calls:
            future: Future[Any]
            if isinstance(call, Ready):
                future = Future()
                future.set_result(call.value)
            elif self._executor is None:
                function, args = call
                future = Future()
                future.set_result(function(*args))
            else:
                function, args = call
                future = self._executor.submit(function, *args)
            out.append((tag, future))
            if len(out) >= self.window:
                first_tag, first = out.popleft()
                yield first_tag, first.result()
        while out:
            first_tag, first = out.popleft()
            yield first_tag, first.result()
