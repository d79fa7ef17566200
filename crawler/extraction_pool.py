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
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from archive.records import FetchedDocument
from pipeline.ingest import ProcessedDocument, process_fetched
from pipeline.parallel import (
    extract_job,
    needs_extraction,
    quiet_extraction_loggers,
    start_workers,
)
from pipeline.report import ExtractedReport

logger = logging.getLogger(__name__)


class ExtractionPool:
    """`process_fetched` in worker processes, answered as Deferreds on the reactor thread."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        if workers > 0:
            self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return start_workers(self.workers)

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
            future = self._executor.submit(extract_job, doc, source_agency, known_sha256)
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
