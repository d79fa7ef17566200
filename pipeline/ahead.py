"""Extraction ahead of the load, on the cores the fetch leaves idle.

The fetch stage runs on one thread; on a machine with more cores, the store pipeline hands each
document awaiting extraction to idle-priority workers (`archive.workers`) as soon as it is
archived. Each reads the document back from its WARC record, extracts it and spools the result
(`archive.spool`); the load after the fetch then stores those documents without extracting them
again. The reactor's share stays near nothing: a document is one small non-blocking write of its
WARC location and agency, and nothing comes back. A worker that has fallen behind means the
document is left to the load, which extracts it on every core anyway.

Settings read: NIANBAO_EXTRACT_AHEAD_DIR (the spool directory; `nianbao crawl` makes one per run,
and without it nothing is extracted ahead), NIANBAO_EXTRACT_AHEAD_WORKERS (default: one less than
the CPU count; 0 turns it off), NIANBAO_ARCHIVE_DIR.
"""

from __future__ import annotations

import os
from typing import Any

from archive.spool import extract_into_spool
from archive.workers import ExtractionWorkers
from pipeline.extraction.document import FetchedDocument
from pipeline.shared import SharedByKey


def ahead_workers(settings: Any) -> int:
    """Worker processes asked for by NIANBAO_EXTRACT_AHEAD_WORKERS (default: CPUs less one)."""
    value = settings.get("NIANBAO_EXTRACT_AHEAD_WORKERS")
    if value in (None, ""):
        return max((os.cpu_count() or 1) - 1, 0)
    return max(int(value), 0)


class ExtractAhead:
    """Sends archived documents to idle-priority workers that extract them into the spool."""

    def __init__(self, spool_dir: str, archive_dir: str, workers: int) -> None:
        self.spool_dir, self.archive_dir = spool_dir, archive_dir
        self.workers = ExtractionWorkers(workers, idle=True)
        self.sent = self.skipped = 0

    def submit(self, doc: FetchedDocument, agency: str | None) -> None:
        """Extract `doc` ahead when a worker can take it; otherwise leave it to the load."""
        if doc.warc_file is None or doc.warc_offset is None:
            return
        call = (
            extract_into_spool,
            (self.spool_dir, self.archive_dir, doc.warc_file, doc.warc_offset, agency),
        )
        if self.workers.send(call):
            self.sent += 1
        else:
            self.skipped += 1

    def close(self) -> None:
        """Stop the workers at once. Documents still in their pipes are left to the load, and one
        cut off mid-extraction leaves at most a cut-off spool entry, which the load ignores."""
        self.workers.close(wait=0)


_shared: SharedByKey[ExtractAhead] = SharedByKey()


def acquire_ahead(spool_dir: str, archive_dir: str, workers: int) -> ExtractAhead:
    """The process's extractor ahead for `spool_dir`; pair each call with `release_ahead`."""
    return _shared.acquire(spool_dir, lambda: ExtractAhead(spool_dir, archive_dir, workers))


def release_ahead(ahead: ExtractAhead) -> None:
    """Let go of `ahead`; the last user stops its workers."""
    if _shared.release(ahead.spool_dir):
        ahead.close()
