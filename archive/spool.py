"""Extractions made ahead of the load, while the crawl is still fetching.

A crawl's reactor is one thread, so during the fetch a core is mostly idle. `nianbao crawl` starts
extraction workers at low priority there (`archive.workers`, sent by the store pipeline): each reads an archived
document back from its WARC record, extracts it, and appends the result to a spool file of its
own. `archive.load.load_pending` then takes a document's extraction from the spool instead of
extracting it again.

An entry is used only for the record it was made from (WARC file and offset), with the same
content hash and source agency; anything missing, stale or damaged is extracted as usual. The
spool can only save work, never change what is stored: extraction is pure, and an entry was made
with no stored version assumed (`process_fetched(..., known_sha256=None)`), which the load
re-decides against the database as it is then.

Format: one file per worker process, of entries each made of a small pickled header (the key and
the payload's length) followed by the pickled payload, so the index is built from headers alone.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from archive.page_images import with_image_names
from archive.processes import process_alive
from archive.warc_read import read_record
from archive.workers import Extracted, extract_job
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.outcome import needs_extraction

SPOOL_SUFFIX = ".spool"

_open_spools: dict[str, BinaryIO] = {}


def _spool_prefix(db_path: Path) -> str:
    return f".{db_path.name}.extract-ahead-"


def new_spool_dir(db_path: str | Path) -> Path:
    """A fresh spool directory for one crawl of `db_path`, beside it (a temporary directory may
    live in memory), named for this process. Spools that crawls killed before they could remove
    their own are removed first."""
    db_path = Path(db_path)
    for stale in db_path.parent.glob(_spool_prefix(db_path) + "*"):
        pid = stale.name.removeprefix(_spool_prefix(db_path)).split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(
        tempfile.mkdtemp(prefix=f"{_spool_prefix(db_path)}{os.getpid()}-", dir=db_path.parent)
    )


def _spool_file(spool_dir: str) -> BinaryIO:
    """This process's spool file in `spool_dir`, opened once for appending."""
    handle = _open_spools.get(spool_dir)
    if handle is None:
        path = Path(spool_dir) / f"{os.getpid()}{SPOOL_SUFFIX}"
        handle = _open_spools[spool_dir] = path.open("ab")
    return handle


def extract_into_spool(
    spool_dir: str, archive_dir: str, warc_file: str, warc_offset: int, agency: str | None
) -> bool:
    """Read the record at `warc_file`/`warc_offset` back, extract it and spool the result; False
    for a response that needs no extraction (the load settles those itself)."""
    doc = read_record(archive_dir, warc_file, warc_offset)
    if not needs_extraction(doc) or with_image_names(doc).images:
        # A page showing pictures that may be its tables waits for the load: they are fetched
        # after it (`archive.page_images`).
        return False
    # The same (document without its body, extraction) a load worker sends back.
    payload = pickle.dumps(
        (replace(doc, body=b""), *extract_job(doc, agency, None)), protocol=pickle.HIGHEST_PROTOCOL
    )
    header = pickle.dumps((warc_file, warc_offset, doc.sha256, agency, len(payload)))
    handle = _spool_file(spool_dir)
    # One write per entry: a worker killed mid-entry leaves a truncated tail, which the index
    # stops at.
    handle.write(header + payload)
    handle.flush()
    return True


@dataclass
class Spool:
    """The entries of a spool directory, indexed by WARC record; payloads are read when taken."""

    directory: Path
    # (warc file, offset) → (spool file, payload position, payload length, sha256, agency)
    entries: dict[tuple[str, int], tuple[Path, int, int, str, str | None]] = field(
        default_factory=dict
    )
    _handles: dict[Path, BinaryIO] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: str | Path) -> Spool:
        spool = cls(Path(directory))
        for path in sorted(spool.directory.glob(f"*{SPOOL_SUFFIX}")):
            spool._index(path)
        return spool

    def _index(self, path: Path) -> None:
        size = path.stat().st_size
        with path.open("rb") as handle:
            while True:
                try:
                    warc_file, offset, sha256, agency, length = pickle.load(handle)
                except Exception:  # noqa: BLE001 - the end, or a tail cut short by a kill
                    return
                position = handle.tell()
                if position + length > size:
                    return
                self.entries[(warc_file, offset)] = (path, position, length, sha256, agency)
                handle.seek(length, os.SEEK_CUR)

    def __len__(self) -> int:
        return len(self.entries)

    def take(
        self, page: dict[str, Any], agency: str | None
    ) -> tuple[FetchedDocument, Extracted] | None:
        """The spooled (document without its body, extraction) of the page row `page`, or None
        when there is none for exactly this record, content and agency."""
        entry = self.entries.pop((page["warc_file"], page["warc_offset"]), None)
        if entry is None:
            return None
        path, position, length, sha256, spooled_agency = entry
        if sha256 != page["sha256"] or spooled_agency != agency:
            return None
        handle = self._handles.get(path)
        if handle is None:
            handle = self._handles[path] = path.open("rb")
        handle.seek(position)
        try:
            doc, outcome, reason, report = pickle.loads(handle.read(length))
        except Exception:  # noqa: BLE001 - a damaged entry: extract the document again
            return None
        return doc, (outcome, reason, report)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
