"""The rebuild's walk through the WARC files, and what the extraction cache file keeps of it.

Each report page comes with the names of the table pictures its HTML shows
(`archive.page_images.with_image_names`), so the rebuild can pair it with them even when the
body is left out.

Reading every record back (warcio's parsing, decompression, digests) was a quarter of a warm
rebuild's CPU (≈ 1.8 s of 7.7 for a 2,666-document archive), all to learn again what an unchanged
file holds. A file walked once is kept in the cache file's `walks` table, by its name, its size and
modification time, and `walk_version` (this reader's code and the extractor's version): its
documents, its damage and its metadata records. A later walk of the same file gives them back
without reading it.

A kept document leaves its body out where the body decides nothing but extraction: where the
challenge test (`pipeline.extraction.challenge`) says of an empty body what it says of the real one,
the test every decision short of extraction starts from. Such a document comes back as `Stripped`,
and the rebuild reads its body back from its record (`archive.warc_read.read_record`) only when it
has to extract it. A file that changed while it was walked (a crawl still writing it) is not kept.
The walk runs in a process of its own and reads the cache read-only; the rebuild's loading process
stores the walks it is handed at the end (`WalkEnd.walked`), the cache's one writer.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import page_images, warc_read
from archive.page_images import with_image_names
from archive.warc_read import iter_file, warc_files
from pipeline.extraction.challenge import detect_challenge
from pipeline.extraction.document import FetchedDocument

if (
    TYPE_CHECKING
):  # the walk's own process never imports sqlite-utils (and numpy with it): 0.3 CPU-s
    import sqlite_utils

WALKS = "walks"


@dataclass(frozen=True)
class WalkRef:
    """Where the walk looks for kept files: the cache file, and the extractor version."""

    path: str
    extractor: str


@dataclass(frozen=True)
class Stripped:
    """A document given back by a kept walk without its body."""

    doc: FetchedDocument


@dataclass
class WalkEnd:
    """The last item of `walk`: the damaged files and records it met, the metadata records
    (target URI, content: the crawl runs' summaries among them), and the files it read that
    the cache should keep (name, stamp, value)."""

    errors: list[str]
    metadata: list[tuple[str, bytes]]
    walked: list[tuple[str, str, bytes]] = field(default_factory=list)


def walk_version(extractor: str) -> str:
    """What a kept walk is valid for: this module's and the WARC reader's code, and the extractor
    (whose challenge test decided which bodies were left out)."""
    code = (
        b"".join(Path(module.__file__ or "").read_bytes() for module in (warc_read, page_images))
        + Path(__file__).read_bytes()
    )
    return hashlib.sha256(code + extractor.encode()).hexdigest()[:16]


def create_table(db: sqlite_utils.Database) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS [{WALKS}] (file TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
        " items BLOB NOT NULL)"
    )


def store(conn: sqlite3.Connection, walked: list[tuple[str, str, bytes]]) -> None:
    """Keep the walks of `walked` (in the caller's transaction)."""
    conn.executemany(
        f"INSERT OR REPLACE INTO [{WALKS}] (file, stamp, items) VALUES (?, ?, ?)", walked
    )


def prune(conn: sqlite3.Connection, version: str) -> None:
    """Delete the walks another version of the reader or extractor kept."""
    conn.execute(f"DELETE FROM [{WALKS}] WHERE stamp NOT LIKE ?", [f"%:{version}"])


def _stamp(path: Path, version: str) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}:{version}"


def _reader(ref: WalkRef | None) -> sqlite3.Connection | None:
    if ref is None:
        return None
    try:
        conn = sqlite3.connect(f"file:{ref.path}?mode=ro", uri=True)
        conn.execute(f"SELECT file FROM [{WALKS}] LIMIT 1").fetchall()
    except sqlite3.Error:
        return None
    return conn


def _kept(conn: sqlite3.Connection | None, name: str, stamp: str) -> Any:
    """The kept walk of file `name` as it is now (`stamp`), or None."""
    if conn is None:
        return None
    try:
        row = conn.execute(
            f"SELECT items FROM [{WALKS}] WHERE file = ? AND stamp = ?", [name, stamp]
        ).fetchone()
        return None if row is None else pickle.loads(zlib.decompress(row[0]))
    except Exception:  # noqa: BLE001 - a damaged entry: the file is read instead
        return None


def without_body(doc: FetchedDocument) -> tuple[FetchedDocument, bool]:
    """`doc` without its body where the body decides nothing short of extraction, and whether it
    was left out."""
    if detect_challenge(doc.status, doc.headers, doc.body) != detect_challenge(
        doc.status, doc.headers, b""
    ):
        return doc, False  # a challenge page: kept whole (they are small)
    return replace(doc, body=b""), True


def walk(
    archive_dir: str, ref: WalkRef | None = None
) -> Iterator[FetchedDocument | Stripped | WalkEnd]:
    """Every response record of the archive in file order (a file kept by the cache given back from
    it, `Stripped` where its body was left out), then a `WalkEnd`."""
    root = Path(archive_dir)
    version = walk_version(ref.extractor) if ref is not None else ""
    conn = _reader(ref)
    end = WalkEnd([], [])
    try:
        for path in warc_files(root):
            name = path.relative_to(root).as_posix()
            stamp = _stamp(path, version) if ref is not None else ""
            kept = _kept(conn, name, stamp) if ref is not None else None
            if kept is not None:
                items, errors, metadata = kept
                for doc, stripped in items:
                    yield Stripped(doc) if stripped else doc
            else:
                errors, metadata, items = [], [], []
                for read in iter_file(root, path, errors=errors, metadata=metadata):
                    # The pictures a report page names, while its body is at hand: a kept
                    # walk leaves the body out but keeps the names (`archive.page_images`).
                    doc = with_image_names(read)
                    yield doc
                    if ref is not None:
                        items.append(without_body(doc))
                if ref is not None and _stamp(path, version) == stamp:
                    value = pickle.dumps((items, errors, metadata), pickle.HIGHEST_PROTOCOL)
                    end.walked.append((name, stamp, zlib.compress(value, 1)))
            end.errors.extend(errors)
            end.metadata.extend(metadata)
    finally:
        if conn is not None:
            conn.close()
    yield end
