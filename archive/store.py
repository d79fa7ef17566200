"""Loading into SQLite: portals, archived pages and extracted reports, one document per transaction.

The crawl's store pipeline and `nianbao rebuild` both call these with the same `FetchedDocument`, so
both produce the same rows. Row ids are stable hashes (a report's id is the hash of its URL), which
makes storing again a replacement: a report's old metrics, checks and facts are deleted with it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import sqlite_utils
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from archive.report_rows import (
    agency_row,
    metric_change_rows,
    report_id,
    report_rows,
    stable_id,
)
from archive.row_writes import (
    no_such_table,
    replace_rows,
    write_agencies,
    write_report_rows,
)
from pipeline.extraction.document import OUTCOMES, FetchedDocument
from pipeline.extraction.report import ExtractedReport


def page_id(doc: FetchedDocument) -> str:
    """One id per archived response: its WARC record, or its URL and time when it has none."""
    if doc.warc_file is not None and doc.warc_offset is not None:
        return stable_id("warc", doc.warc_file, str(doc.warc_offset))
    return stable_id("fetch", doc.url, doc.fetched_at)


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


# The busy timeout covers ordinary waits; this covers what it cannot (a lock lost between attempts).
_retry_when_locked = retry(
    retry=retry_if_exception(_is_locked),
    stop=stop_after_attempt(5),
    wait=wait_exponential(multiplier=0.2, max=5),
    reraise=True,
)


@contextmanager
def _transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """All-or-nothing writes; takes the write lock up front (BEGIN IMMEDIATE) so it never has to be
    upgraded mid-transaction, which SQLite refuses without waiting."""
    if db.conn.in_transaction:
        with db.atomic():  # a caller's transaction: nest as a savepoint
            yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()


class PortalSource(Protocol):
    """What the archive keeps of a portal described in a source file (`crawler.sources.Source`
    is one; the archive does not depend on the crawler to read it)."""

    @property
    def id(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def region(self) -> str | None: ...
    @property
    def level(self) -> str | None: ...
    @property
    def start_urls(self) -> Sequence[str]: ...
    @property
    def allowed_hosts(self) -> Sequence[str]: ...
    @property
    def verified(self) -> bool: ...


@_retry_when_locked
def store_source(db: sqlite_utils.Database, source: PortalSource) -> None:
    """Record a portal (and its agency) as described by its source file."""
    with _transaction(db):
        write_agencies(db, [agency_row(source.agency, source.region, source.level)])
        db.table("sources").upsert(
            {
                "id": source.id,
                "agency": source.agency,
                "family": source.family,
                "region": source.region,
                "level": source.level,
                "start_urls": list(source.start_urls),
                "allowed_hosts": list(source.allowed_hosts),
                "verified": int(source.verified),
            },
            pk="id",
        )


def page_row(doc: FetchedDocument, outcome: str, reason: str = "") -> dict[str, Any]:
    """The pages row of one archived response and what became of it (one of `OUTCOMES`)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown page outcome {outcome!r}; expected one of {OUTCOMES}")
    return {
        "id": page_id(doc),
        "url": doc.url,
        "fetched_at": doc.fetched_at,
        "status": doc.status,
        "content_type": doc.content_type,
        "role": doc.role,
        "source_id": doc.source_id,
        "sha256": doc.sha256,
        "warc_file": doc.warc_file,
        "warc_offset": doc.warc_offset,
        "outcome": outcome,
        "reason": reason,
        "etag": doc.headers.get("etag"),
        "last_modified": doc.headers.get("last-modified"),
        "run_id": doc.run_id,
    }


@_retry_when_locked
def store_page(
    db: sqlite_utils.Database, doc: FetchedDocument, outcome: str, reason: str = ""
) -> None:
    """Record one archived response and what became of it (one of `OUTCOMES`)."""
    row = page_row(doc, outcome, reason)
    with _transaction(db):
        replace_rows(db, "pages", [row], pk="id")


def _source_row(db: sqlite_utils.Database, source_id: str | None) -> dict[str, object] | None:
    if not source_id:
        return None
    try:
        rows = list(db.query("SELECT * FROM sources WHERE id = ?", [source_id]))
    except sqlite3.OperationalError as exc:
        if not no_such_table(exc):
            raise
        return None
    return rows[0] if rows else None


@_retry_when_locked
def store_report(db: sqlite_utils.Database, doc: FetchedDocument, report: ExtractedReport) -> str:
    """Store `report` (read from `doc`) with its metrics, checks and facts; returns the report id.

    Storing the same URL again replaces the report and all of its rows.
    """
    rid = report_id(doc.url)
    with _transaction(db):
        previous = _current_version(db, rid)
        old_metrics = _metric_cells(db, rid) if previous else {}
        for table in ("metrics", "checks", "facts"):
            db.execute(f"DELETE FROM [{table}] WHERE report_id = ?", [rid])
        # Same content again (a re-extraction) keeps its version; new content is the next version.
        is_new_version = previous is None or previous["content_sha256"] != doc.sha256
        version = (
            (previous["version"] or 0) + 1
            if previous and is_new_version
            else (previous["version"] if previous else 1)
        )
        rows = report_rows(
            doc,
            report,
            _source_row(db, doc.source_id),
            version=version,
            first_seen=previous["first_seen"] if previous else doc.fetched_at,
            version_first_seen=(
                doc.fetched_at
                if is_new_version or previous is None
                else previous["version_first_seen"]
            ),
        )
        write_report_rows(db, rows)
        if previous and is_new_version:
            replace_rows(
                db,
                "metric_changes",
                metric_change_rows(rid, previous["version"], version, old_metrics, report),
                pk=("report_id", "to_version", "key"),
            )
    return rid


def _current_version(db: sqlite_utils.Database, rid: str) -> dict[str, Any] | None:
    rows = list(
        db.query(
            """
            SELECT r.version, r.first_seen, r.content_sha256, v.first_seen AS version_first_seen
            FROM reports r LEFT JOIN report_versions v ON v.report_id = r.id AND v.version = r.version
            WHERE r.id = ?
            """,
            [rid],
        )
    )
    return rows[0] if rows else None


def _metric_cells(db: sqlite_utils.Database, rid: str) -> dict[str, tuple[Any, Any]]:
    return {
        row["key"]: (row["value"], row["raw"])
        for row in db.query("SELECT key, value, raw FROM metrics WHERE report_id = ?", [rid])
    }


@_retry_when_locked
def touch_report(db: sqlite_utils.Database, url: str, seen_at: str) -> bool:
    """Record that the report at `url` was seen unchanged at `seen_at`; False when it is unknown.

    A withdrawn report seen again is reinstated.
    """
    rid = report_id(url)
    with _transaction(db):
        cursor = db.execute(
            "UPDATE reports SET last_seen = max(coalesce(last_seen, ''), ?), withdrawn_at = NULL,"
            " withdrawn_reason = NULL WHERE id = ?",
            [seen_at, rid],
        )
        if cursor.rowcount == 0:
            return False
        db.execute(
            "UPDATE report_versions SET last_seen = max(coalesce(last_seen, ''), ?)"
            " WHERE report_id = ? AND version = (SELECT version FROM reports WHERE id = ?)",
            [seen_at, rid, rid],
        )
    return True


@_retry_when_locked
def mark_withdrawn(db: sqlite_utils.Database, url: str, when: str, reason: str) -> bool:
    """Mark the report at `url` withdrawn (never deleted); False when unknown or already withdrawn."""
    with _transaction(db):
        cursor = db.execute(
            "UPDATE reports SET withdrawn_at = ?, withdrawn_reason = ? WHERE id = ? AND withdrawn_at IS NULL",
            [when, reason, report_id(url)],
        )
    return cursor.rowcount > 0


def current_report(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The stored report row for `url` (without its text), or None."""
    rows = list(
        db.query(
            "SELECT id, url, doc_type, extraction_status, content_sha256, version, withdrawn_at"
            " FROM reports WHERE id = ?",
            [report_id(url)],
        )
    )
    return rows[0] if rows else None
