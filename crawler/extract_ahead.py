"""Extraction ahead of the load, on the cores the fetch leaves idle (`archive.spool`).

The fetch stage runs on one thread; on a machine with more cores, `nianbao crawl` hands each
document awaiting extraction to worker processes at idle priority as soon as it is archived. They
read it back from the WARC file, extract it and spool the result; the load after the fetch then
stores those documents without extracting them again.

The reactor's share must stay near nothing. A process pool costs it two helper threads in this
process, woken for every job and its answer: they took the GIL from the reactor often enough to
slow the fetch by a tenth. Here each worker has a pipe instead, and a document is one line written
to it (its WARC location and agency) with one non-blocking write; nothing comes back. A full pipe
(a worker that has fallen behind) means the document is left to the load, which extracts it on
every core anyway.

Settings read: NIANBAO_EXTRACT_AHEAD_DIR (the spool directory; `nianbao crawl` makes one per
run, and without it nothing is extracted ahead), NIANBAO_EXTRACT_AHEAD_WORKERS (default: one
less than the CPU count; 0 turns it off), NIANBAO_ARCHIVE_DIR.
"""

from __future__ import annotations

import itertools
import logging
import os
import select
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from archive.records import FetchedDocument
from archive.spool import extract_into_spool
from crawler.shared import SharedByKey
from pipeline.parallel import quiet_extraction_loggers, warm_up, worker_context

logger = logging.getLogger(__name__)

# Where SCHED_IDLE is refused: below the reactor's priority all the same.
AHEAD_NICENESS = 10
# A line longer than this could be written in part; such a document is left to the load.
_ATOMIC_WRITE = select.PIPE_BUF


def ahead_workers(settings: Any) -> int:
    """Worker processes asked for by NIANBAO_EXTRACT_AHEAD_WORKERS (default: CPUs less one)."""
    value = settings.get("NIANBAO_EXTRACT_AHEAD_WORKERS")
    if value in (None, ""):
        return max((os.cpu_count() or 1) - 1, 0)
    return max(int(value), 0)


def _work(lines: Connection, spool_dir: str, archive_dir: str) -> None:
    """A worker: extract each document named on `lines` into the spool until the pipe closes."""
    # CPU time no other process wants only: the fetch must not slow down for work the load
    # would do anyway.
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(AHEAD_NICENESS)
    quiet_extraction_loggers()
    warm_up()
    with os.fdopen(lines.fileno(), "rb", closefd=False) as reader:
        for line in reader:  # ends when the crawl closes its end, or dies
            warc_file, offset, agency = line.decode("utf-8").rstrip("\n").split("\t")
            try:
                extract_into_spool(spool_dir, archive_dir, warc_file, int(offset), agency or None)
            except Exception as exc:  # noqa: BLE001 - the load extracts it again and says why
                logger.debug("Extraction ahead of %s@%s failed: %s", warc_file, offset, exc)


class ExtractAhead:
    """Sends archived documents to low-priority workers that extract them into the spool."""

    def __init__(self, spool_dir: str, archive_dir: str, workers: int) -> None:
        self.spool_dir, self.archive_dir, self.workers = spool_dir, archive_dir, workers
        # Started by the first document: a quiet night of 304s starts no process.
        self._processes: list[BaseProcess] = []
        self._pipes: list[int] = []
        self._next_pipe: itertools.cycle[int] | None = None
        self._stopped = False
        self.sent = self.skipped = 0

    def _start(self) -> None:
        context = worker_context()
        for _ in range(self.workers):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_work, args=(reader, self.spool_dir, self.archive_dir), daemon=True
            )
            process.start()
            reader.close()
            fd = os.dup(writer.fileno())
            writer.close()
            os.set_blocking(fd, False)
            self._processes.append(process)
            self._pipes.append(fd)
        self._next_pipe = itertools.cycle(self._pipes)

    def submit(self, doc: FetchedDocument, agency: str | None) -> None:
        """Extract `doc` ahead when a worker can take it; otherwise leave it to the load."""
        if self._stopped or doc.warc_file is None or doc.warc_offset is None:
            return
        if self._next_pipe is None:
            self._start()
            assert self._next_pipe is not None
        line = f"{doc.warc_file}\t{doc.warc_offset}\t{agency or ''}\n".encode()
        if len(line) > _ATOMIC_WRITE or "\t" in (agency or "") or "\n" in (agency or ""):
            self.skipped += 1
            return
        try:
            os.write(next(self._next_pipe), line)
        except BlockingIOError:
            self.skipped += 1  # that worker is behind: the load extracts this one
            return
        except OSError as exc:  # the worker is gone (killed, out of memory)
            logger.warning("Extraction ahead stopped: %s", exc)
            self.close()
            return
        self.sent += 1

    def close(self) -> None:
        """Stop the workers. Documents still in their pipes are left to the load, and one cut
        off mid-extraction leaves at most a cut-off spool entry, which the load ignores."""
        self._stopped = True
        for fd in self._pipes:
            os.close(fd)
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join(timeout=10)
        self._pipes, self._processes, self._next_pipe = [], [], None


_shared: SharedByKey[ExtractAhead] = SharedByKey()


def acquire_ahead(spool_dir: str, archive_dir: str, workers: int) -> ExtractAhead:
    """The process's extractor ahead for `spool_dir`; pair each call with `release_ahead`."""
    return _shared.acquire(spool_dir, lambda: ExtractAhead(spool_dir, archive_dir, workers))


def release_ahead(ahead: ExtractAhead) -> None:
    """Let go of `ahead`; the last user stops its workers."""
    if _shared.release(ahead.spool_dir):
        ahead.close()
