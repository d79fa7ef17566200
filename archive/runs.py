"""Crawl runs that explain themselves: what each run did, per source, kept in the DB and the archive.

A run's summary is written to the `crawl_runs` and `source_runs` tables and, as a WARC `metadata`
record (`urn:nianbao:run:<id>`), into the archive itself, so `nianbao rebuild` brings the run history
back along with everything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from archive.store import store_page
from archive.warc_store import WarcWriter
from pipeline.extraction.document import FetchedDocument

RUN_URI_PREFIX = "urn:nianbao:run:"

# Per-source status of one run.
STATUS_OK = "ok"  # reports seen
STATUS_EMPTY = (
    "empty"  # pages fetched but no report (a source that yielded reports before: a breakage)
)
STATUS_BLOCKED = "blocked"  # anti-bot challenge pages instead of content
STATUS_BROKEN = "broken"  # errors: no response, 5xx, 404 on the way to the reports
STATUS_ROBOTS = "robots"  # robots.txt disallows what the source needs
SOURCE_STATUSES = (STATUS_OK, STATUS_EMPTY, STATUS_BLOCKED, STATUS_BROKEN, STATUS_ROBOTS)
FAILING_STATUSES = (STATUS_EMPTY, STATUS_BLOCKED, STATUS_BROKEN, STATUS_ROBOTS)


@dataclass
class SourceRun:
    source_id: str
    status: str = STATUS_OK
    detail: str = ""
    pages: int = 0
    reports_seen: int = 0
    reports_new: int = 0
    reports_changed: int = 0
    failures: int = 0


@dataclass
class CrawlRun:
    id: str
    started_at: str
    finished_at: str = ""
    sources_file: str = ""
    settings_digest: str = ""
    full_revalidation: bool = False
    pages: int = 0
    full_downloads: int = 0
    not_modified: int = 0
    reports_new: int = 0
    reports_changed: int = 0
    reports_unchanged: int = 0
    reports_withdrawn: int = 0
    failures: int = 0
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    exit_code: int = 0
    # The run's stages: fetching and archiving, then extracting and storing what it archived.
    fetch_seconds: float = 0.0
    documents_loaded: int = 0
    documents_extracted_ahead: int = 0  # of those loaded, extracted during the fetch
    load_seconds: float = 0.0
    sources: list[SourceRun] = field(default_factory=list)
    # Requests that got no response at all (nothing in the archive to rebuild them from).
    failed_requests: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, payload: bytes) -> CrawlRun:
        data = json.loads(payload)
        sources = [SourceRun(**s) for s in data.pop("sources", [])]
        return cls(**data, sources=sources)


def failed_request_document(failure: dict[str, Any], run_id: str | None) -> FetchedDocument:
    """The page-row stand-in for a request that got no response (status 0, nothing archived)."""
    return FetchedDocument(
        url=failure["url"],
        status=0,
        body=b"",
        fetched_at=failure["fetched_at"],
        source_id=failure.get("source_id"),
        role=failure.get("role") or "other",
        link_text=failure.get("link_text"),
        run_id=run_id or None,
    )


def new_run_id(now: datetime | None = None) -> str:
    """A sortable run id: the UTC start time to the microsecond."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def store_run(db: sqlite_utils.Database, run: CrawlRun) -> None:
    """Write (or rewrite) a run and its per-source rows."""
    row: dict[str, Any] = asdict(run)
    row.pop("sources")
    row.pop("failed_requests")
    row["full_revalidation"] = int(run.full_revalidation)
    row["failures_by_reason"] = json.dumps(
        run.failures_by_reason, ensure_ascii=False, sort_keys=True
    )
    with db.atomic():
        db.table("crawl_runs").upsert(row, pk="id")
        db.execute("DELETE FROM source_runs WHERE run_id = ?", [run.id])
        db.table("source_runs").insert_all(
            ({"run_id": run.id, **asdict(s)} for s in run.sources), pk=("run_id", "source_id")
        )
    for failure in run.failed_requests:
        store_page(db, failed_request_document(failure, run.id), "failed", failure["reason"])


def archive_run(writer: WarcWriter, run: CrawlRun) -> None:
    """Leave the run's summary in the archive, for rebuilds."""
    writer.write_metadata(
        uri=RUN_URI_PREFIX + run.id, payload=run.to_json(), fetched_at=datetime.now(UTC)
    )


def previous_statuses(db: sqlite_utils.Database, before_run: str) -> dict[str, str]:
    """Each source's status in the latest run before `before_run`."""
    rows = db.query(
        """
        SELECT s.source_id, s.status FROM source_runs s
        JOIN (SELECT source_id, max(run_id) AS run_id FROM source_runs WHERE run_id < ?
              GROUP BY source_id) last
          ON last.source_id = s.source_id AND last.run_id = s.run_id
        """,
        [before_run],
    )
    return {row["source_id"]: row["status"] for row in rows}


def due_for_full_revalidation(db: sqlite_utils.Database, every_days: float, now: datetime) -> bool:
    """Whether the last full download of every known report (a full run, or the first run) is
    `every_days` old or more; 0 or less turns periodic full revalidation off."""
    if every_days <= 0 or "crawl_runs" not in db.table_names():
        return False
    rows = list(
        db.query(
            "SELECT max(started_at) AS last FROM crawl_runs WHERE full_revalidation = 1"
            " OR id = (SELECT min(id) FROM crawl_runs)"
        )
    )
    last = rows[0]["last"] if rows else None
    if not last:
        return False
    return (now - datetime.fromisoformat(last)).total_seconds() >= every_days * 86400


def restore_runs(
    db: sqlite_utils.Database,
    metadata: Iterable[tuple[str, bytes]],
    errors: list[str] | None = None,
) -> int:
    """Store every run summary among the archive's metadata records (target URI and content, as
    `archive.warc_read.iter_archived` collects them); returns how many."""
    restored = 0
    for uri, payload in metadata:
        if not uri.startswith(RUN_URI_PREFIX):
            continue
        try:
            run = CrawlRun.from_json(payload)
        except Exception as exc:  # noqa: BLE001 - a damaged summary is reported, the rest stored
            if errors is not None:
                errors.append(f"{uri}: run record unreadable ({exc})")
            continue
        store_run(db, run)
        restored += 1
    return restored
