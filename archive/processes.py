"""Child processes' plumbing shared by the extraction workers (`archive.workers`) and `streamed`:
whether a process is alive, a child's exit when its parent is gone, an exception carried back,
and `streamed`, a generator run in a process of its own.

Kept apart from `archive.workers` so that a streamed child (the rebuild's walk through the WARC
files) imports only this and its own function's module: not sqlite-utils, numpy or the extraction
cache, which cost the walk's process ≈ 0.4 CPU-s to import in a rebuild that takes 6.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

# pdfminer logs every token it parses at DEBUG; under Scrapy's logging (the root logger lets
# everything through to its handler, which drops it) building those records tripled a PDF's
# extraction time. Its warnings still show.
QUIET_LOGGERS = ("pdfminer", "pdfplumber")


class WorkerDied(RuntimeError):
    """A worker ended while a result was still owed (killed, out of memory, a crash in C)."""


def quiet_extraction_loggers() -> None:
    """Stop the PDF libraries' parser tracing from costing time in this process."""
    for name in QUIET_LOGGERS:
        log = logging.getLogger(name)
        if log.level < logging.INFO:
            log.setLevel(logging.INFO)


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


def exit_when_orphaned(parent_pid: int, interval: float = 1.0) -> None:
    """End this worker once its parent is gone: a kill -9 gives the parent no time to close the
    pipes, and a forkserver child's own parent is the fork server, not the crawl."""
    while True:
        time.sleep(interval)
        if not process_alive(parent_pid):
            os._exit(1)


@dataclass
class Raised:
    """A call's exception, carried back to be raised in the parent."""

    error: BaseException


STREAM_BATCH = 32


@dataclass
class _Done:
    """The end of a streamed generator."""


def _stream_into(
    results: Connection, function: Callable[..., Iterable[Any]], args: tuple[Any, ...], parent: int
) -> None:
    """In the child: send the items of `function(*args)` in batches, then `_Done` (or the error)."""
    quiet_extraction_loggers()
    threading.Thread(target=exit_when_orphaned, args=(parent,), daemon=True).start()
    batch: list[Any] = []
    try:
        for item in function(*args):
            batch.append(item)
            if len(batch) >= STREAM_BATCH:
                results.send(batch)
                batch = []
        results.send([*batch, _Done()])
    except BrokenPipeError:
        return  # the parent stopped reading
    except Exception as exc:  # noqa: BLE001 - raised again in the parent
        results.send([*batch, Raised(exc)])


def streamed(
    function: Callable[..., Iterable[Any]], args: tuple[Any, ...], *, in_process: bool = True
) -> Iterator[Any]:
    """The items of `function(*args)` (module-level, picklable arguments and items), made in a
    process of its own while the caller works on the items before; `in_process=False` runs it
    here. An exception in the generator is raised here, after the items before it."""
    if not in_process:
        yield from function(*args)
        return
    # Spawned, not from the fork server: starting the fork server imports the extraction readers
    # into it (`worker_context`'s preload, ≈ 0.5 CPU-s), which only workers need, and a rebuild
    # whose reports all come from the extraction cache starts none.
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=_stream_into, args=(writer, function, args, os.getpid()), daemon=True
    )
    process.start()
    writer.close()
    finished = False
    try:
        while True:
            try:
                batch = reader.recv()
            except EOFError:
                raise WorkerDied(
                    f"streaming process {process.pid} ended (exit code {process.exitcode})"
                ) from None
            for item in batch:
                if isinstance(item, _Done):
                    finished = True
                    return
                if isinstance(item, Raised):
                    finished = True
                    raise item.error
                yield item
    finally:
        reader.close()
        process.join(timeout=10 if finished else 0)  # a caller that stopped early: no waiting
        if process.is_alive():
            process.terminate()
            process.join(timeout=10)
