"""The extraction cache: a report made once is never made again from the same bytes by the same
extractor, so a nightly crawl or `nianbao rebuild` reads each document once per extractor.

An entry is keyed by everything `extract_document` reads (`cache_key`): the SHA-256 of the body,
the URL (format detection reads its suffix, the report carries it), the Content-Type header, the
link text and the source's agency (metadata's fallbacks), the table pictures read with an HTML
page (each one's URL, SHA-256 or why it is missing: `archive.page_images`), and the extractor's version
(`pipeline.extraction.version`: a hash of the package's source and its readers' versions). A key
that missed one of them could serve a wrong report, which is worse than no cache.

Where: `<archive>/extraction-cache.sqlite` (`cache_path`), beside the WARC files rather than the
database. The entries are derived from the archive's bytes alone, whichever database they are
loaded into: a database deleted and rebuilt, or a second one built from the same archive, finds
the cache warm, and an archive copied elsewhere takes its cache along (a different extractor there
just misses). The WARC readers only read `*.warc(.gz)`, so the file is never mistaken for one.

Who writes: only the loading process (the load stage, the rebuild), in transactions of
`FLUSH_EVERY` entries, in WAL mode so the extraction workers can look entries up meanwhile
without ever writing (`lookup`, a read-only connection per worker process). Values: the pickled
`ExtractedReport`, zlib-compressed (to about a quarter: ≈ 4 KB for the bench's synthetic
reports). Failed extractions are not cached: some failures depend on the machine and the
moment (LibreOffice missing, a conversion timed out), and failures are few.

Nothing here is ever an error: an entry that does not unpickle is a miss (extracted again and
replaced); a file that is not a readable SQLite database is replaced, with a warning; one that
fails later in the run is used no more and removed when the cache is closed, so the next run
starts a new one. The cache holds pickles: it is as trusted as the archive it sits in.

A rebuild also keeps, beside each report, the rows it becomes as a new report (`archive.cached_rows`),
which the next rebuild copies in SQLite instead of unpickling the report and building them again,
and what it read in each WARC file (`archive.rebuild_walk`), so that it does not read an unchanged
file again.

Size: `prune` deletes the entries of every other extractor version (`nianbao rebuild` does it at
its end), so the cache holds about one compressed report per archived document, and after a
rebuild its rows (≈ 20 KB a synthetic report: 68 MB for 2,666 reports against 15 MB of reports
alone). Deleting the file is always safe.

Settings: none read here; `NIANBAO_EXTRACTION_CACHE` (crawler/settings.py) and `nianbao rebuild
--no-cache` turn it off for the callers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import sqlite3
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from archive import cached_rows, rebuild_walk
from archive.cached_rows import Content
from archive.report_rows import Row
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.report import STATUS_FAILED, ExtractedReport
from pipeline.extraction.version import extractor_version

logger = logging.getLogger(__name__)

CACHE_FILE_NAME = "extraction-cache.sqlite"
TABLE = "extractions"
# Entries per write transaction: one commit per report would cost more than the look-ups save.
FLUSH_EVERY = 200
# Fast compression: the loading process compresses on its hot path; level 1 gets most of level 6's
# saving on report text.
COMPRESSION_LEVEL = 1
BUSY_TIMEOUT_MS = 10_000

# This process's read-only connection to the cache it last looked in (a worker's), by its ref.
_reader: dict[CacheRef, sqlite3.Connection | None] = {}


def cache_path(archive_dir: str | Path) -> Path:
    """Where the extraction cache of the archive at `archive_dir` lives."""
    return Path(archive_dir) / CACHE_FILE_NAME


@dataclass(frozen=True)
class CacheRef:
    """What a worker needs to look entries up: the file and the version the loader keys by (the
    loader's version, so both sides always agree on it), and which opening of the file this is
    (a file replaced since is opened again, never read through an old connection)."""

    path: str
    version: str
    opening: str


def cache_key(doc: FetchedDocument, source_agency: str | None, version: str) -> str:
    """The key of what `extract_document` makes of `doc` for a source whose agency is
    `source_agency`, by the extractor `version`: a hash of every input extraction reads."""
    headers = {name.lower(): value for name, value in doc.headers.items()}
    inputs: list[object] = [
        version,
        doc.sha256,
        doc.url,
        headers.get("content-type", ""),
        doc.link_text,
        source_agency,
    ]
    if doc.images:
        # The table pictures read with a page: the same page with another picture reads again.
        inputs.append([[image.url, image.sha256, image.problem] for image in doc.images])
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode()).hexdigest()


def cacheable(report: ExtractedReport | None) -> bool:
    """Whether `report` may be kept: not a failure (some failures are of the machine, not of the
    bytes)."""
    return report is not None and report.status != STATUS_FAILED


def encode(report: ExtractedReport) -> bytes:
    return zlib.compress(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL), COMPRESSION_LEVEL)


def decode(blob: object) -> ExtractedReport | None:
    """The report in a stored value, or None for a damaged one."""
    try:
        report = pickle.loads(zlib.decompress(blob))  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - whatever a damaged value raises, it is a miss
        return None
    return report if isinstance(report, ExtractedReport) else None


def _select(conn: sqlite3.Connection, key: str) -> object | None:
    row = conn.execute(f"SELECT report FROM [{TABLE}] WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def _reader_for(ref: CacheRef) -> sqlite3.Connection | None:
    if ref not in _reader:
        for old in _reader.values():
            if old is not None:
                old.close()
        _reader.clear()
        conn: sqlite3.Connection | None
        try:
            conn = sqlite3.connect(f"file:{ref.path}?mode=ro", uri=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.Error:
            conn = None
        _reader[ref] = conn
    return _reader[ref]


def lookup(
    ref: CacheRef, doc: FetchedDocument, source_agency: str | None
) -> ExtractedReport | None:
    """The cached report of `doc` (in a worker: read-only, the loader writes), or None."""
    conn = _reader_for(ref)
    if conn is None:
        return None
    try:
        blob = _select(conn, cache_key(doc, source_agency, ref.version))
    except sqlite3.Error:
        return None  # the loader notices a damaged file itself
    return None if blob is None else decode(blob)


class ExtractionCache:
    """The loading process's handle on the cache at `path`, keyed by extractor `version` (default:
    this process's). Unusable files are replaced or left alone with a warning; never an error."""

    def __init__(self, path: str | Path, version: str | None = None) -> None:
        self.path = Path(path)
        self.version = version or extractor_version()
        self.hits = 0
        self.stored = 0
        self._pending: dict[str, bytes] = {}
        self._pending_rows: dict[str, tuple[Row, Content]] = {}
        self._damaged = False
        self._remove_on_close = False
        self._opening = uuid.uuid4().hex
        self._db = self._open()

    @property
    def usable(self) -> bool:
        """Whether the cache is in use (not turned off, not failed)."""
        return self._db is not None and not self._damaged

    @property
    def ref(self) -> CacheRef | None:
        """For workers to look entries up; None when the cache is not in use."""
        return None if self._db is None else CacheRef(str(self.path), self.version, self._opening)

    def _connect(self) -> sqlite_utils.Database:
        db = sqlite_utils.Database(self.path)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")  # a lost entry is only a miss
            db[TABLE].create(  # type: ignore[union-attr]
                {"key": str, "version": str, "report": bytes}, pk="key", if_not_exists=True
            )
            cached_rows.create_tables(db)
            rebuild_walk.create_table(db)
            db.execute(f"SELECT key, version, report FROM [{TABLE}] LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _open(self) -> sqlite_utils.Database | None:
        try:
            return self._connect()
        except sqlite3.OperationalError as exc:
            # Locked, read-only, no such directory: the file may be fine, so it is left alone.
            logger.warning("Extraction cache not used: %s: %s", self.path, exc)
            return None
        except sqlite3.DatabaseError as exc:
            logger.warning(
                "Extraction cache %s is damaged (%s): starting a new one", self.path, exc
            )
        except OSError as exc:
            logger.warning("Extraction cache not used: %s: %s", self.path, exc)
            return None
        self._remove_files()
        try:
            return self._connect()
        except (sqlite3.Error, OSError) as exc:
            logger.warning("Extraction cache not used: %s: %s", self.path, exc)
            return None

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _failed(self, exc: sqlite3.Error) -> None:
        """Stop using a file that failed mid-run; a damaged one (not merely locked by another
        writer, or on a full disk) is removed on `close`, so the next run starts a new one."""
        logger.warning(
            "Extraction cache %s failed (%s): not used for the rest of this run", self.path, exc
        )
        self._damaged = True
        self._remove_on_close = not isinstance(exc, sqlite3.OperationalError)
        self._pending.clear()
        self._pending_rows.clear()

    def get(self, doc: FetchedDocument, source_agency: str | None) -> ExtractedReport | None:
        """The cached report of `doc` by this extractor, or None."""
        if self._db is None or self._damaged:
            return None
        key = cache_key(doc, source_agency, self.version)
        blob: object = self._pending.get(key)
        if blob is None:
            try:
                blob = _select(self._db.conn, key)
            except sqlite3.Error as exc:
                self._failed(exc)
                return None
        report = None if blob is None else decode(blob)
        self.hits += report is not None
        return report

    def put(
        self, doc: FetchedDocument, source_agency: str | None, report: ExtractedReport | None
    ) -> None:
        """Keep what extraction made of `doc` (nothing for a failure), written in batches."""
        if self._db is None or self._damaged or report is None or not cacheable(report):
            return
        self._pending[cache_key(doc, source_agency, self.version)] = encode(report)
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def put_rows(
        self, doc: FetchedDocument, source_agency: str | None, fields: Row, content: Content
    ) -> None:
        """Keep the rows `doc`'s report becomes as the first version at its URL
        (`archive.cached_rows`), written in batches with the reports."""
        if self._db is None or self._damaged:
            return
        self._pending_rows[cache_key(doc, source_agency, self.version)] = (fields, content)
        if len(self._pending_rows) >= FLUSH_EVERY:
            self.flush()

    def put_walks(self, walked: list[tuple[str, str, bytes]]) -> None:
        """Keep the walks of WARC files the rebuild read (`archive.rebuild_walk`)."""
        if self._db is None or self._damaged or not walked:
            return
        try:
            with self._db.conn:
                rebuild_walk.store(self._db.conn, walked)
        except sqlite3.Error as exc:
            self._failed(exc)

    def flush(self) -> None:
        if self._db is None or self._damaged or not (self._pending or self._pending_rows):
            return
        rows = [
            {"key": key, "version": self.version, "report": blob}
            for key, blob in self._pending.items()
        ]
        try:
            with self._db.conn:
                if rows:
                    self._db[TABLE].insert_all(rows, replace=True)  # type: ignore[union-attr]
                for key, (fields, content) in self._pending_rows.items():
                    cached_rows.store(self._db.conn, key, fields, content)
        except sqlite3.Error as exc:
            self._failed(exc)
            return
        self.stored += len(rows)
        self._pending.clear()
        self._pending_rows.clear()

    def prune(self) -> int:
        """Delete the entries of every other extractor version; how many went."""
        self.flush()
        if self._db is None or self._damaged:
            return 0
        try:
            with self._db.conn:
                cursor = self._db.execute(
                    f"DELETE FROM [{TABLE}] WHERE version != ?", [self.version]
                )
                cached_rows.prune(self._db.conn, TABLE)
                rebuild_walk.prune(self._db.conn, rebuild_walk.walk_version(self.version))
        except sqlite3.Error as exc:
            self._failed(exc)
            return 0
        return int(cursor.rowcount)

    def close(self) -> None:
        self.flush()
        ref = self.ref
        if ref is not None and ref in _reader:  # the workers ran in this process
            connection = _reader.pop(ref)
            if connection is not None:
                connection.close()
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._remove_on_close:
            self._remove_files()

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_cache(archive_dir: str | Path, enabled: bool = True) -> ExtractionCache | None:
    """The extraction cache of `archive_dir`, or None when it is turned off."""
    return ExtractionCache(cache_path(archive_dir)) if enabled else None
