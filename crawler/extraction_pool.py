"""Extraction off the reactor: worker processes shared by every extract pipeline of a crawl process.

Extraction is pure, CPU-bound Python. In a thread it holds the GIL against the reactor that feeds
the downloads, so a crawl ran at the speed of one core; in worker processes it uses all of them
while the reactor keeps fetching. Each job is `pipeline.ingest.process_fetched` on a pickled
`FetchedDocument`; only the outcome, reason and report come back (the body stays here).

Setting read: NIANBAO_EXTRACT_WORKERS (worker processes; default: the CPU count; 0 extracts in a
thread of this process, as before). The pool is started when the first pipeline opens, so the
workers' start-up overlaps the first fetches, and shut down when the last one closes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from archive.records import FetchedDocument
from pipeline.ingest import ProcessedDocument, outcome_without_extraction, process_fetched
from pipeline.report import ExtractedReport

logger = logging.getLogger(__name__)

# pdfminer logs every token it parses at DEBUG; under Scrapy's logging (the root logger lets
# everything through to its handler, which drops it) building those records tripled a PDF's
# extraction time. Its warnings still show.
QUIET_LOGGERS = ("pdfminer", "pdfplumber")


def quiet_extraction_loggers() -> None:
    """Stop the PDF libraries' parser tracing from costing time in this process."""
    for name in QUIET_LOGGERS:
        log = logging.getLogger(name)
        if log.level < logging.INFO:
            log.setLevel(logging.INFO)


def default_workers() -> int:
    return os.cpu_count() or 1


def _extract(
    doc: FetchedDocument, source_agency: str | None, known_sha256: str | None
) -> tuple[str, str, ExtractedReport | None]:
    """The worker's job: what `process_fetched` makes of `doc`, without the document itself."""
    processed = process_fetched(doc, source_agency, known_sha256)
    return processed.outcome, processed.reason, processed.report


def _warm_up() -> None:
    """Imported at worker start: extraction's modules and compiled patterns."""
    import pipeline.extract  # noqa: F401


def _exit_when_orphaned(crawl_pid: int, interval: float = 1.0) -> None:
    """End this worker once the crawl process is gone (a kill -9 gives the pool no time to stop
    it, and the worker's own end of the job queue keeps it waiting for ever)."""
    while True:
        time.sleep(interval)
        try:
            os.kill(crawl_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass  # the pid exists, owned by someone else: not reused by now in practice


def _worker_init(crawl_pid: int) -> None:
    quiet_extraction_loggers()
    _warm_up()
    threading.Thread(target=_exit_when_orphaned, args=(crawl_pid,), daemon=True).start()


def needs_extraction(doc: FetchedDocument, known_sha256: str | None) -> bool:
    """Whether `process_fetched` would extract `doc` (everything else is settled cheaply here)."""
    if outcome_without_extraction(doc) is not None:
        return False
    return known_sha256 is None or known_sha256 != doc.sha256


class ExtractionPool:
    """`process_fetched` in worker processes, answered as Deferreds on the reactor thread."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        if workers > 0:
            self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # forkserver, not fork: this process runs threads (Twisted's pool, sqlite), and a child
        # forked while one of them holds a lock would hang on it.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pipeline.ingest", "pipeline.extract"])
        executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):
            executor.submit(_warm_up)  # start the workers now, while the crawl fetches its lists
        return executor

    def process(
        self, doc: FetchedDocument, source_agency: str | None, known_sha256: str | None
    ) -> Deferred[ProcessedDocument]:
        """`process_fetched(doc, source_agency, known_sha256)`, computed off the reactor thread."""
        if self._executor is None:
            return deferToThread(process_fetched, doc, source_agency, known_sha256)
        if not needs_extraction(doc, known_sha256):
            # Settled without extraction: not worth a round trip to a worker.
            return _succeed(process_fetched(doc, source_agency, known_sha256))
        result: Deferred[ProcessedDocument] = Deferred()
        self._submit(result, doc, source_agency, known_sha256, retried=False)
        return result

    def _submit(
        self,
        result: Deferred[ProcessedDocument],
        doc: FetchedDocument,
        source_agency: str | None,
        known_sha256: str | None,
        *,
        retried: bool,
    ) -> None:
        assert self._executor is not None
        try:
            future = self._executor.submit(_extract, doc, source_agency, known_sha256)
        except BrokenProcessPool as exc:
            self._restart_or_fail(result, doc, source_agency, known_sha256, exc, retried)
            return

        def done(finished: Future[tuple[str, str, ExtractedReport | None]]) -> None:
            # Called in the executor's thread; the answer belongs to the reactor thread.
            reactor.callFromThread(settle, finished)  # type: ignore[attr-defined]

        def settle(finished: Future[tuple[str, str, ExtractedReport | None]]) -> None:
            exc = finished.exception()
            if isinstance(exc, BrokenProcessPool):
                self._restart_or_fail(result, doc, source_agency, known_sha256, exc, retried)
            elif exc is not None:
                result.errback(exc)
            else:
                outcome, reason, report = finished.result()
                result.callback(ProcessedDocument(doc, outcome, reason, report))

        future.add_done_callback(done)

    def _restart_or_fail(
        self,
        result: Deferred[ProcessedDocument],
        doc: FetchedDocument,
        source_agency: str | None,
        known_sha256: str | None,
        exc: BaseException,
        retried: bool,
    ) -> None:
        """A worker died (killed, out of memory, a crash in a C library): a new pool, one retry."""
        if retried:
            result.errback(exc)
            return
        logger.warning("An extraction worker died (%s); restarting the pool", exc)
        if self._executor is not None and getattr(self._executor, "_broken", False):
            self._executor.shutdown(wait=False, cancel_futures=False)
            self._executor = self._start()
        self._submit(result, doc, source_agency, known_sha256, retried=True)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _succeed(value: ProcessedDocument) -> Deferred[ProcessedDocument]:
    result: Deferred[ProcessedDocument] = Deferred()
    result.callback(value)
    return result


_shared: ExtractionPool | None = None
_users = 0


def acquire_pool(workers: int) -> ExtractionPool:
    """The process's pool (started on first use); pair each call with `release_pool`."""
    global _shared, _users
    if _shared is None:
        quiet_extraction_loggers()
        _shared = ExtractionPool(workers)
    _users += 1
    return _shared


def release_pool() -> None:
    """Shut the pool down when its last user lets go."""
    global _shared, _users
    _users = max(_users - 1, 0)
    if _users == 0 and _shared is not None:
        _shared.close()
        _shared = None


def pool_workers(settings: Any) -> int:
    """Worker processes asked for by NIANBAO_EXTRACT_WORKERS (default: the CPU count)."""
    value = settings.get("NIANBAO_EXTRACT_WORKERS")
    if value in (None, ""):
        return default_workers()
    return max(int(value), 0)
