"""Extraction in other processes: the one set of workers behind the crawl's extraction ahead, the
load stage and `nianbao rebuild`.

Extraction is pure, CPU-bound Python, so it runs in processes, never threads (a thread holds the
GIL against whatever else the process does). Workers start through a forkserver, not fork: the
crawl process runs threads (Twisted's pool, sqlite), and a child forked while one of them holds a
lock would hang on it.

Each worker reads calls from a pipe of its own and, when asked, writes each result back on a
second pipe. The parent does all its pipe I/O itself, without blocking and without helper threads:
a process pool's two helper threads took the GIL from the crawl's reactor often enough to slow the
fetch by a tenth, and a parent blocked writing a large document to a worker that is itself blocked
writing a large report back would wait for ever. Two ways to use them:

- `send(call)`: fire and forget, at most one small write (extraction ahead: the call writes its
  result into the spool). A worker that is behind makes it return False, and the caller leaves
  the document to the load.
- `in_order(calls)`: the calls' results in the order of the calls (the load and the rebuild, where
  the order of the fetches decides versions and withdrawals), at most `window` out at once, so
  memory stays bounded however long the stream is. With no workers the calls run here.

The one other child process, `archive.processes.streamed` (a generator run in a process of its
own, the rebuild's walk through the WARC files), shares this module's plumbing from there.

Setting read (through `workers_setting`): NIANBAO_EXTRACT_WORKERS (default: the CPU count).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import pickle
import select
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeAlias, TypeVar

from archive.extraction_cache import CacheRef, ExtractionCache, lookup
from archive.page_images import image_bodies, resolved_from_pages
from archive.processes import (
    Raised,
    WorkerDied,
    exit_when_orphaned,
    quiet_extraction_loggers,
)
from archive.warc_read import WarcReadError, read_record
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.outcome import needs_extraction, process_fetched, processed_from_report
from pipeline.extraction.report import ExtractedReport

logger = logging.getLogger(__name__)

# Where SCHED_IDLE is refused, an idle worker still runs below the crawl's priority.
IDLE_NICENESS = 10
# A message is its length, then its pickle.
_LENGTH = struct.Struct("!I")
_CHUNK = 1 << 16

# What extraction sends back: outcome, reason and report (the document, body and all, stays home).
Extracted = tuple[str, str, ExtractedReport | None]
# A document, the agency of its source, and the SHA-256 of the version stored for its URL.
Job = tuple[FetchedDocument, "str | None", "str | None"]
Tag = TypeVar("Tag")


@dataclass(frozen=True)
class Ready:
    """A result already at hand: `in_order` passes it on in its turn."""

    value: Any


# A module-level function and its arguments (all picklable), or a result at hand.
Call: TypeAlias = "tuple[Callable[..., Any], tuple[Any, ...]] | Ready"


# ---- the jobs ---------------------------------------------------------------------------------


def extract_job(
    doc: FetchedDocument,
    source_agency: str | None,
    known_sha256: str | None,
    archive_dir: str | None = None,
) -> Extracted:
    """What `process_fetched` makes of `doc`, without the document itself; the pictures of its
    tables (`doc.images`, looked up) are read back from `archive_dir`."""
    bodies: list[bytes | None] = []
    if doc.images and archive_dir is not None and needs_extraction(doc, known_sha256):
        bodies = image_bodies(archive_dir, doc.images)
    processed = process_fetched(doc, source_agency, known_sha256, bodies)
    return processed.outcome, processed.reason, processed.report


def cached_extraction(doc: FetchedDocument, report: ExtractedReport) -> Extracted:
    """What `extract_job` would send back for `doc` when extraction gives `report` (a cached
    one)."""
    processed = processed_from_report(doc, report)
    return processed.outcome, processed.reason, report


def extract_record(
    archive_dir: str,
    warc_file: str,
    warc_offset: int,
    source_agency: str | None,
    known_sha256: str | None,
    cache: CacheRef | None = None,
    db_path: str | None = None,
) -> tuple[FetchedDocument, Extracted, bool] | WarcReadError:
    """Given a WARC record's place: the document (without its body), what `process_fetched`
    makes of it and whether that came from the extraction `cache` (looked up here, read-only:
    the loading process stores), or why the record cannot be read back. Reading it in the worker
    keeps the reading off the loading process and the body off the pipe between them. A report
    page's table pictures are looked up among the archived ones the database at `db_path` lists
    (`archive.page_images`)."""
    try:
        doc = read_record(archive_dir, warc_file, warc_offset)
    except WarcReadError as exc:
        return exc
    if db_path is not None:
        # Even when it seems unchanged: the loader may read it again (`archive.load._as_of_now`).
        doc = resolved_from_pages(doc, db_path)
    if cache is not None and needs_extraction(doc, known_sha256):
        report = lookup(cache, doc, source_agency)
        if report is not None:
            return replace(doc, body=b""), cached_extraction(doc, report), True
    extracted = extract_job(doc, source_agency, known_sha256, archive_dir)
    return replace(doc, body=b""), extracted, False


# ---- the worker processes ---------------------------------------------------------------------


def default_workers() -> int:
    return os.cpu_count() or 1


def workers_setting(settings: Any) -> int:
    """Worker processes asked for by NIANBAO_EXTRACT_WORKERS (default: the CPU count)."""
    value = settings.get("NIANBAO_EXTRACT_WORKERS")
    if value in (None, ""):
        return default_workers()
    return max(int(value), 0)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, wanted = [], size
    while wanted:
        chunk = os.read(fd, min(wanted, _CHUNK))
        if not chunk:
            return None
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _frame(message: Any) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


def _serve(calls: Connection, results: Connection, parent_pid: int, idle: bool) -> None:
    """A worker: run each call read from `calls` until the parent closes it (or dies)."""
    calls_fd, results_fd = calls.fileno(), results.fileno()
    if idle:
        # CPU time no other process wants only: the fetch must not slow down for work the load
        # would do anyway.
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            os.nice(IDLE_NICENESS)
    quiet_extraction_loggers()
    threading.Thread(target=exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    while True:
        header = _read_exactly(calls_fd, _LENGTH.size)
        if header is None:
            return
        payload = _read_exactly(calls_fd, _LENGTH.unpack(header)[0])
        if payload is None:
            return
        answer, function, args = pickle.loads(payload)
        try:
            result: Any = function(*args)
        except Exception as exc:  # noqa: BLE001 - the parent raises it, or logs it
            if not answer:
                logger.debug("%s failed in a worker: %s", function.__name__, exc)
                continue
            result = Raised(exc)
        if answer:
            try:
                message = _frame(result)
            except Exception as exc:  # noqa: BLE001 - an unpicklable result is still an answer
                message = _frame(Raised(RuntimeError(f"unpicklable result: {exc!r}")))
            try:
                _write_all(results_fd, message)
            except BrokenPipeError:
                return  # the parent stopped listening


def worker_context() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.extraction.outcome", "pipeline.extraction.extract"])
    return context


class _Worker:
    """One worker process and the parent's ends of its two pipes, with their buffers."""

    def __init__(self, context: ForkServerContext, idle: bool) -> None:
        calls_reader, calls_writer = context.Pipe(duplex=False)
        results_reader, results_writer = context.Pipe(duplex=False)
        # Connections, not bare fds: the fork server passes their fds on to the child.
        self.process: BaseProcess = context.Process(
            target=_serve, args=(calls_reader, results_writer, os.getpid(), idle), daemon=True
        )
        self.process.start()
        calls_reader.close()
        results_writer.close()
        self.calls_fd = os.dup(calls_writer.fileno())
        self.results_fd = os.dup(results_reader.fileno())
        calls_writer.close()
        results_reader.close()
        os.set_blocking(self.calls_fd, False)
        os.set_blocking(self.results_fd, False)
        self.outgoing: deque[memoryview] = deque()  # messages not yet written, in order
        self.incoming = bytearray()
        self.owed = 0  # results this worker still owes
        self.closed = False

    def take_result(self) -> tuple[bool, Any]:
        """(True, result) when a whole result has arrived, else (False, None)."""
        if len(self.incoming) < _LENGTH.size:
            return False, None
        size = _LENGTH.unpack_from(self.incoming)[0]
        end = _LENGTH.size + size
        if len(self.incoming) < end:
            return False, None
        payload = bytes(self.incoming[_LENGTH.size : end])
        del self.incoming[:end]
        self.owed -= 1
        return True, pickle.loads(payload)

    def close(self, wait: float) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.calls_fd)
            os.close(self.results_fd)
        if wait <= 0:
            self.process.terminate()
        self.process.join(timeout=max(wait, 0) or 10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)


class ExtractionWorkers:
    """`workers` extraction processes, started on first use (a quiet night starts none).

    `idle`: the workers run only on CPU time nobody else wants (extraction ahead of the load).
    """

    def __init__(self, workers: int, *, idle: bool = False, window: int | None = None) -> None:
        self.workers = max(workers, 0)
        self.idle = idle
        self.window = window or max(self.workers, 1) * 8
        self._pool: list[_Worker] = []
        self._next_worker: Iterator[_Worker] | None = None
        self._stopped = False

    def __enter__(self) -> ExtractionWorkers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _started(self) -> list[_Worker]:
        if not self._pool and self.workers:
            context = worker_context()
            self._pool = [_Worker(context, self.idle) for _ in range(self.workers)]
            self._next_worker = itertools.cycle(self._pool)
        return self._pool

    def send(self, call: tuple[Callable[..., Any], tuple[Any, ...]]) -> bool:
        """Hand `call` to the next worker without waiting and without asking for its result;
        False when that worker is behind (its pipe is full), stopped, or gone."""
        if self._stopped or not self._started():
            return False
        assert self._next_worker is not None
        worker = next(self._next_worker)
        message = _frame((False, *call))
        if len(message) > select.PIPE_BUF:
            return False  # could be written in part: never interleave two calls
        try:
            os.write(worker.calls_fd, message)
        except BlockingIOError:
            return False
        except OSError as exc:  # the worker is gone (killed, out of memory)
            logger.warning("Extraction workers stopped: %s", exc)
            self.close(wait=0)
            return False
        return True

    def in_order(self, calls: Iterable[tuple[Tag, Call]]) -> Iterator[tuple[Tag, Any]]:
        """For each `(tag, call)`, in order: the tag and the call's result, computed on a worker
        (a `Ready` value is passed through as it is). A call's exception is raised here."""
        waiting: deque[tuple[Tag, Ready | _Worker]] = deque()
        out = 0
        for tag, call in calls:
            if isinstance(call, Ready):
                waiting.append((tag, call))
            elif not self._started():
                function, args = call
                waiting.append((tag, Ready(function(*args))))
            else:
                # The worker owing the fewest results: one busy with a long PDF is passed over
                # while the others keep going, as a shared queue would do.
                worker = min(self._pool, key=lambda candidate: candidate.owed)
                worker.outgoing.append(memoryview(_frame((True, *call))))
                worker.owed += 1
                waiting.append((tag, worker))
                out += 1
                self._pump(block=False)
            while out >= self.window or (waiting and isinstance(waiting[0][1], Ready)):
                first_tag, where = waiting.popleft()
                out -= isinstance(where, _Worker)
                yield first_tag, self._result(where)
        while waiting:
            first_tag, where = waiting.popleft()
            yield first_tag, self._result(where)

    def map(
        self,
        jobs: Iterable[tuple[Tag, Job]],
        cache: ExtractionCache | None = None,
        settled: Callable[[Tag], Extracted | None] | None = None,
        archive_dir: str | None = None,
    ) -> Iterator[tuple[Tag, Job, Extracted, bool]]:
        """For each `(tag, job)`, in order: the tag, the job, what extraction made of it, and
        whether a worker extracted it now. Jobs that need no extraction, those `settled` by their
        tag (the rebuild's rows from the cache) and those whose report is in the extraction
        `cache` are settled here with no round trip to a worker; what the workers extract is
        stored in the cache. Table pictures are read back from `archive_dir`."""

        def calls() -> Iterator[tuple[tuple[Tag, Job, bool], Call]]:
            for tag, job in jobs:
                doc, agency, known = job
                if not needs_extraction(doc, known):
                    yield (tag, job, False), Ready(extract_job(*job))
                    continue
                at_hand = settled(tag) if settled is not None else None
                if at_hand is not None:
                    yield (tag, job, False), Ready(at_hand)
                    continue
                report = cache.get(doc, agency) if cache is not None else None
                if report is not None:
                    yield (tag, job, False), Ready(cached_extraction(doc, report))
                else:
                    yield (tag, job, True), (extract_job, (*job, archive_dir))

        for (tag, job, extracted), result in self.in_order(calls()):
            if extracted and cache is not None:
                cache.put(job[0], job[1], result[2])
            yield tag, job, result, extracted

    def _result(self, where: Ready | _Worker) -> Any:
        if isinstance(where, Ready):
            return where.value
        while True:
            complete, result = where.take_result()
            if complete:
                if isinstance(result, Raised):
                    raise result.error
                return result
            self._pump(block=True)

    def _pump(self, *, block: bool) -> None:
        """Move whatever the pipes take or give now; with `block`, wait until something moves."""
        writers = [w.calls_fd for w in self._pool if w.outgoing]
        readers = [w.results_fd for w in self._pool if w.owed]
        if not writers and not readers:
            return
        readable, writable, _ = select.select(readers, writers, [], None if block else 0)
        for worker in self._pool:
            if worker.calls_fd in writable:
                head = worker.outgoing[0]
                try:
                    written = os.write(worker.calls_fd, head)
                except BlockingIOError:
                    written = 0
                except OSError as exc:
                    # Killed before it read its calls: the same death as an EOF on its results,
                    # seen first on the other pipe (which one depends on the scheduler).
                    raise WorkerDied(
                        f"extraction worker {worker.process.pid} ended owing {worker.owed} results "
                        f"(its calls pipe: {exc})"
                    ) from exc
                if written == len(head):
                    worker.outgoing.popleft()
                else:
                    worker.outgoing[0] = head[written:]
            if worker.results_fd in readable:
                chunk = os.read(worker.results_fd, _CHUNK)
                if not chunk:
                    raise WorkerDied(
                        f"extraction worker {worker.process.pid} ended "
                        f"(exit code {worker.process.exitcode}) owing {worker.owed} results"
                    )
                worker.incoming += chunk

    def close(self, wait: float = 10.0) -> None:
        """Stop the workers: each finishes its current call and ends (`wait` = 0: at once;
        calls still in a pipe are dropped, which suits extraction ahead, where the load does
        what was not done)."""
        self._stopped = True
        for worker in self._pool:
            worker.close(wait)
        self._pool, self._next_worker = [], None


# ---- a generator in another process -----------------------------------------------------------

# Items per message: enough that pickling and the pipe cost little per item, few enough that a
# batch of document bodies stays a few MB (the pipe holds the parent back beyond one batch).
