"""Extraction ahead of the load, on the cores the fetch leaves idle (`archive.spool`).

The fetch stage runs on one thread; on a machine with more cores, `nianbao crawl` hands each
document awaiting extraction to worker processes at low priority as soon as it is archived. They
read it back from the WARC file, extract it and spool the result; the load after the fetch then
stores those documents without extracting them again. Only the WARC location travels to a
worker, so the reactor's share of the work is a submission per document.

Settings read: NIANBAO_EXTRACT_AHEAD_DIR (the spool directory; `nianbao crawl` makes one per
run, and without it nothing is extracted ahead), NIANBAO_EXTRACT_AHEAD_WORKERS (default: one
less than the CPU count; 0 turns it off), NIANBAO_ARCHIVE_DIR.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from archive.records import FetchedDocument
from archive.spool import extract_into_spool
from pipeline.parallel import start_workers

logger = logging.getLogger(__name__)

# Below the reactor's priority: the fetch must not slow down for work the load would do anyway.
AHEAD_NICENESS = 10
# Documents waiting for a worker at most; past that the load extracts them (on every core).
MAX_WAITING = 2000


def ahead_workers(settings: object) -> int:
    """Worker processes asked for by NIANBAO_EXTRACT_AHEAD_WORKERS (default: CPUs less one)."""
    value = settings.get("NIANBAO_EXTRACT_AHEAD_WORKERS")  # type: ignore[attr-defined]
    if value in (None, ""):
        return max((os.cpu_count() or 1) - 1, 0)
    return max(int(value), 0)


class ExtractAhead:
    """Sends archived documents to low-priority workers that extract them into the spool."""

    def __init__(self, spool_dir: str, archive_dir: str, workers: int) -> None:
        self.spool_dir, self.archive_dir, self.workers = spool_dir, archive_dir, workers
        # Started by the first document: a quiet night of 304s starts no process.
        self._executor: ProcessPoolExecutor | None = None
        self._stopped = False
        self._waiting = 0
        self._lock = threading.Lock()
        self.sent = self.skipped = 0

    def submit(self, doc: FetchedDocument, agency: str | None) -> None:
        """Extract `doc` ahead when a worker can take it soon; otherwise leave it to the load."""
        if self._stopped or doc.warc_file is None or doc.warc_offset is None:
            return
        if self._executor is None:
            self._executor = start_workers(self.workers, AHEAD_NICENESS)
        with self._lock:
            if self._waiting >= MAX_WAITING:
                self.skipped += 1
                return
            self._waiting += 1
        try:
            future = self._executor.submit(
                extract_into_spool,
                self.spool_dir,
                self.archive_dir,
                doc.warc_file,
                doc.warc_offset,
                agency,
            )
        except BrokenProcessPool as exc:
            # A worker died (out of memory, a crash in a C library): the load does the rest.
            logger.warning("Extraction ahead stopped: %s", exc)
            self.close()
            return
        self.sent += 1
        future.add_done_callback(self._done)

    def _done(self, future: Future[bool]) -> None:
        with self._lock:
            self._waiting -= 1
        if not future.cancelled() and future.exception() is not None:
            # Nothing is lost: the load reads and extracts the document itself.
            logger.debug("Extraction ahead failed: %s", future.exception())

    def close(self) -> None:
        """Stop: documents still waiting are left to the load; the one being extracted finishes."""
        self._stopped = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


_shared: dict[str, tuple[ExtractAhead, int]] = {}


def acquire_ahead(spool_dir: str, archive_dir: str, workers: int) -> ExtractAhead:
    """The process's extractor ahead for `spool_dir`; pair each call with `release_ahead`."""
    ahead, users = _shared.get(spool_dir) or (ExtractAhead(spool_dir, archive_dir, workers), 0)
    _shared[spool_dir] = (ahead, users + 1)
    return ahead


def release_ahead(ahead: ExtractAhead) -> None:
    """Let go of `ahead`; the last user stops its workers."""
    current, users = _shared[ahead.spool_dir]
    if users > 1:
        _shared[ahead.spool_dir] = (current, users - 1)
        return
    del _shared[ahead.spool_dir]
    ahead.close()
