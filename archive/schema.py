"""The SQLite schema Datasette publishes, created and upgraded by numbered migrations.

Every table has an explicit primary key, so storing the same document twice replaces rather than
duplicates, and a rebuild from the WARC archive gives the same rows as the crawl. Migrations are
recorded in `_migrations` (sqlite-utils' migration sets); add a new step at the end of `_STEPS`,
never edit an applied one.

Foreign keys are declared (Datasette links rows through them) but not enforced: a page is stored the
moment it is fetched, and a rebuild may run without the source file that describes its portal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from archive.revisits import refresh_revisits

BUSY_TIMEOUT_MS = 30_000


def _initial(db: sqlite_utils.Database) -> None:
    db.table("agencies").create(
        {"id": str, "name": str, "region": str, "level": str},
        pk="id",
        not_null={"name"},
    )
    db.table("sources").create(
        {
            "id": str,
            "agency": str,
            "family": str,
            "region": str,
            "level": str,
            "start_urls": str,  # JSON list
            "allowed_hosts": str,  # JSON list
            "verified": int,
        },
        pk="id",
        not_null={"agency", "family"},
    )
    db.table("pages").create(
        {
            "id": str,
            "url": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "role": str,
            "source_id": str,
            "sha256": str,
            "warc_file": str,
            "warc_offset": int,
            "outcome": str,
            "reason": str,
        },
        pk="id",
        not_null={"url", "outcome"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("reports").create(
        {
            "id": str,
            "url": str,
            "source_id": str,
            "agency_id": str,
            "agency": str,
            "year": int,
            "title": str,
            "doc_type": str,
            "template": str,
            "published": str,
            "fetched_at": str,
            "content_sha256": str,
            "content_type": str,
            "warc_file": str,
            "warc_offset": int,
            "extraction_status": str,
            "status_reason": str,
            "text": str,
            "metric_count": int,
            "failed_checks": int,
        },
        pk="id",
        not_null={"url", "extraction_status"},
        foreign_keys=[("source_id", "sources", "id"), ("agency_id", "agencies", "id")],
    )
    db.table("metrics").create(
        {"report_id": str, "key": str, "value": float, "raw": str},
        pk=("report_id", "key"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("checks").create(
        {
            "report_id": str,
            "rule": str,
            "passed": int,
            "expected": float,
            "printed": float,
            "detail": str,
            "severity": str,
        },
        pk=("report_id", "rule"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("facts").create(
        {
            "report_id": str,
            "seq": int,
            "kind": str,
            "value": float,
            "unit": str,
            "sentence": str,
        },
        pk=("report_id", "seq"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    for table, columns in (
        ("pages", ["url"]),
        ("pages", ["source_id"]),
        ("pages", ["outcome"]),
        ("pages", ["sha256"]),
        ("reports", ["source_id"]),
        ("reports", ["agency_id"]),
        ("reports", ["year"]),
        ("reports", ["extraction_status"]),
        ("reports", ["content_sha256"]),
        ("metrics", ["key", "value"]),
        ("checks", ["rule", "passed"]),
        ("facts", ["kind"]),
    ):
        db.table(table).create_index(columns)


def _versions_and_runs(db: sqlite_utils.Database) -> None:
    """Nightly crawls: every version of a report, what changed, withdrawals, and runs that explain themselves."""
    reports = db.table("reports")
    for column, kind in (
        ("first_seen", str),
        ("last_seen", str),
        ("version", int),
        ("withdrawn_at", str),
        ("withdrawn_reason", str),
    ):
        reports.add_column(column, kind)
    pages = db.table("pages")
    for column in ("etag", "last_modified", "run_id"):
        pages.add_column(column, str)
    db.table("report_versions").create(
        {
            "report_id": str,
            "version": int,
            "sha256": str,
            "first_seen": str,
            "last_seen": str,
            "warc_file": str,
            "warc_offset": int,
            "extraction_status": str,
            "metric_count": int,
        },
        pk=("report_id", "version"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("metric_changes").create(
        {
            "report_id": str,
            "from_version": int,
            "to_version": int,
            "key": str,
            "old_value": float,
            "new_value": float,
            "old_raw": str,
            "new_raw": str,
        },
        pk=("report_id", "to_version", "key"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("crawl_runs").create(
        {
            "id": str,
            "started_at": str,
            "finished_at": str,
            "sources_file": str,
            "settings_digest": str,
            "full_revalidation": int,
            "pages": int,
            "full_downloads": int,
            "not_modified": int,
            "reports_new": int,
            "reports_changed": int,
            "reports_unchanged": int,
            "reports_withdrawn": int,
            "failures": int,
            "failures_by_reason": str,  # JSON object reason -> count
            "exit_code": int,
        },
        pk="id",
    )
    db.table("source_runs").create(
        {
            "run_id": str,
            "source_id": str,
            "status": str,  # ok | empty | blocked | broken | robots
            "detail": str,
            "pages": int,
            "reports_seen": int,
            "reports_new": int,
            "reports_changed": int,
            "failures": int,
        },
        pk=("run_id", "source_id"),
        foreign_keys=[("run_id", "crawl_runs", "id"), ("source_id", "sources", "id")],
    )
    for table, columns in (
        ("reports", ["withdrawn_at"]),
        ("reports", ["url"]),
        ("pages", ["run_id"]),
        ("report_versions", ["sha256"]),
        ("source_runs", ["source_id", "status"]),
    ):
        db.table(table).create_index(columns)


def _primary_copies(db: sqlite_utils.Database) -> None:
    """One report, many documents: the same agency-year published as a page and as attachments."""
    reports = db.table("reports")
    reports.add_column("is_primary", int)
    reports.add_column("primary_report_id", str)
    reports.create_index(["is_primary"])
    reports.create_index(["agency_id", "year"])


def _facet_indexes(db: sqlite_utils.Database) -> None:
    """Datasette counts the reports table's default facets on every page view: index each one."""
    reports = db.table("reports")
    for column in ("template", "doc_type", "failed_checks", "is_primary"):
        reports.create_index([column], if_not_exists=True)


def _run_timings(db: sqlite_utils.Database) -> None:
    """A run's two stages: fetching and archiving, then loading the documents it archived."""
    runs = db.table("crawl_runs")
    runs.add_column("fetch_seconds", float)
    runs.add_column("documents_loaded", int)
    runs.add_column("load_seconds", float)


def _extracted_ahead(db: sqlite_utils.Database) -> None:
    """How many of a run's documents were extracted during its fetch (`archive.spool`)."""
    db.table("crawl_runs").add_column("documents_extracted_ahead", int)


def _pending_outcome(db: sqlite_utils.Database) -> None:
    """A document archived and not yet extracted is `outcome = 'pending'`, no longer `archived`
    with the reason "awaiting extraction"."""
    db.execute(
        "UPDATE pages SET outcome = 'pending', reason = '' "
        "WHERE outcome = 'archived' AND reason = 'awaiting extraction'"
    )


def _check_verdicts(db: sqlite_utils.Database) -> None:
    """Every check keeps a verdict (`pass`, `fail`, `unverifiable`) and the evidence it was decided
    on. Rows stored before get theirs from `passed` (NULL: could not be evaluated) and from what
    they kept: expected, printed and detail."""
    checks = db.table("checks")
    checks.add_column("verdict", str)
    checks.add_column("evidence", str)
    db.execute(
        "UPDATE checks SET verdict = CASE WHEN passed IS NULL THEN 'unverifiable'"
        " WHEN passed THEN 'pass' ELSE 'fail' END,"
        " evidence = CASE WHEN expected IS NULL AND printed IS NULL THEN coalesce(detail, '')"
        " ELSE printf('expected %s; printed %s', coalesce(expected, '（空）'),"
        " coalesce(printed, '（空）')) END"
    )
    checks.create_index(["verdict"], index_name="idx_checks_verdict", if_not_exists=True)


def _missing_rows(db: sqlite_utils.Database) -> None:
    """`reports.missing_rows`: the rows of the template's tables a `partial` (or `blank`) report
    lacks, a JSON list of row keys. Reports stored before it have NULL (not known) until a rebuild
    extracts them again; until then their `ok` means only that tables were read."""
    db.table("reports").add_column("missing_rows", str)


def _metric_provenance(db: sqlite_utils.Database) -> None:
    """Where a number was read: `metrics.page` (1-based page of a PDF or image; NULL for HTML and
    Word), `metrics.bbox` (JSON `[x0, top, x1, bottom]` in PDF points from the page's top-left) and
    `metrics.confidence` (0–1 for a number read by OCR; NULL for a text-layer read)."""
    metrics = db.table("metrics")
    metrics.add_column("page", int)
    metrics.add_column("bbox", str)
    metrics.add_column("confidence", float)


def _agency_placement(db: sqlite_utils.Database) -> None:
    """An agency placed on the map of China and in its government: the 6-digit 行政区划代码, the
    province / prefecture / county names, its kind (`government`, `general_office`, `department`),
    the normalised department type, and the government it belongs to (`parent_id`). NULL means not
    matched: a wrong code is worse than none."""
    agencies = db.table("agencies")
    for column in ("division_code", "province", "prefecture", "county", "kind", "department_type"):
        agencies.add_column(column, str)
    agencies.add_column("parent_id", str)
    agencies.create_index(["division_code"], if_not_exists=True)
    agencies.create_index(["parent_id"], if_not_exists=True)


def _revisit_schedule(db: sqlite_utils.Database) -> None:
    """`revisits`: when each known report is next revalidated (`archive.revisits`), with the
    facts it is derived from (first seen, last changed, last checked, last downloaded in full);
    filled from the reports and pages already stored."""
    db.table("revisits").create(
        {
            "url": str,
            "source_id": str,
            "role": str,
            "first_seen": str,
            "last_changed": str,
            "last_checked": str,
            "last_full": str,
            "interval_days": int,
            "next_due": str,
        },
        pk="url",
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("revisits").create_index(["source_id", "next_due"])
    refresh_revisits(db)


# Append only: position + 1 is the schema version a step brings the database to.
_STEPS: list[Callable[[sqlite_utils.Database], None]] = [
    _initial,
    _versions_and_runs,
    _primary_copies,
    _facet_indexes,
    _run_timings,
    _extracted_ahead,
    _pending_outcome,
    _check_verdicts,
    _missing_rows,
    _metric_provenance,
    _agency_placement,
    _revisit_schedule,
]
SCHEMA_VERSION: int = len(_STEPS)

_MIGRATIONS = Migrations("nianbao")
_MIGRATIONS.migrations_table = "_migrations"
for _version, _step in enumerate(_STEPS, start=1):
    _MIGRATIONS(name=f"{_version:04d}{_step.__name__}")(_step)


# Indexes that serve readers only (queries by metric, rule or fact kind), never a load's own
# lookups. Each new report adds ≈ 200 entries all over the metrics one: a load much larger than
# the database drops them and builds them again whole afterwards, which costs far less.
READER_INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "idx_metrics_key_value": ("metrics", ("key", "value")),
    "idx_checks_rule_passed": ("checks", ("rule", "passed")),
    "idx_checks_verdict": ("checks", ("verdict",)),
    "idx_facts_kind": ("facts", ("kind",)),
}


def ensure_reader_indexes(db: sqlite_utils.Database) -> None:
    """Create whichever of READER_INDEXES is missing (after a load, or one that was killed)."""
    for name, (table, columns) in READER_INDEXES.items():
        db.table(table).create_index(list(columns), index_name=name, if_not_exists=True)


@contextmanager
def reader_indexes_dropped(db: sqlite_utils.Database) -> Iterator[None]:
    """READER_INDEXES dropped for the block, and built again after it, however it ends."""
    for name in READER_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS [{name}]")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.commit()
        ensure_reader_indexes(db)


def schema_version(db: sqlite_utils.Database) -> int:
    """How many of nianbao's migrations `db` has applied."""
    return len(_MIGRATIONS.applied(db))


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Bring `db` up to SCHEMA_VERSION; a no-op when it is there already."""
    if not _MIGRATIONS.pending(db):
        return
    # IMMEDIATE takes the write lock before looking at what is pending, so two processes opening a
    # new database at once do not both run the same migration.
    db.execute("BEGIN IMMEDIATE")
    try:
        _MIGRATIONS.apply(db)
        db.execute(f"PRAGMA user_version = {schema_version(db)}")
    except BaseException:
        db.rollback()
        raise
    db.commit()


def open_db(path: str | Path) -> sqlite_utils.Database:
    """The database at `path` (created, with its directory, if needed), in WAL mode, up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # Crawl pipelines, rebuilds and Datasette may hold the file at once: wait for locks, don't fail.
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    # In WAL mode NORMAL cannot corrupt the file; it only skips an fsync per commit.
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    return db
