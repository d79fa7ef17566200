"""A crawl run's record, made from the crawl's stats and the database: each source's status with
the reason for it, the run's counts, its exit code, and the table the terminal shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archive.runs import (
    FAILING_STATUSES,
    STATUS_BLOCKED,
    STATUS_BROKEN,
    STATUS_EMPTY,
    STATUS_OK,
    STATUS_ROBOTS,
    CrawlRun,
    SourceRun,
    previous_statuses,
)
from archive.schema import open_db


def source_status(counts: dict[str, int], reports_before: int) -> tuple[str, str]:
    """A source's status for this run, and a sentence saying why."""
    seen = counts["reports_seen"]
    # Known reports still listed but not due tonight (archive.revisits) count as seen.
    if (seen or counts["not_due"]) and counts["listed"]:
        failures = counts["failed"] + counts["fetch_failed"]
        detail = f"{seen} reports"
        if counts["not_due"]:
            detail += f", {counts['not_due']} not due"
        detail += f", {failures} failures" if failures else ""
        if counts["spider_errors"]:
            detail += f" ({counts['spider_errors']} pages the spider could not read)"
        return STATUS_OK, detail
    if counts["blocked"]:
        return STATUS_BLOCKED, f"{counts['blocked']} anti-bot challenge responses"
    if counts["robots"]:
        return STATUS_ROBOTS, "robots.txt disallows the way to the reports"
    if (
        counts["fetch_failed"]
        or counts["http_errors"]
        or counts["failed"]
        or not counts["archived"]
    ):
        problems = counts["fetch_failed"] + counts["http_errors"] + counts["failed"]
        if not counts["archived"]:
            return STATUS_BROKEN, "nothing could be fetched"
        if counts["spider_errors"]:
            return STATUS_BROKEN, (
                f"{problems} errors and no report; the spider could not read "
                f"{counts['spider_errors']} pages (see pages.reason)"
            )
        return STATUS_BROKEN, f"{problems} errors and no report"
    if reports_before:
        return STATUS_EMPTY, f"yielded {reports_before} reports before, its lists lead to none now"
    return STATUS_EMPTY, "no report found"


def _source_counts(stats: dict[str, Any], source_id: str) -> dict[str, int]:
    prefix = f"nianbao/source/{source_id}/"
    names = (
        "archived",
        "listed",
        "failed",
        "fetch_failed",
        "blocked",
        "robots",
        "http_errors",
        "not_due",
        "spider_errors",
    )
    counts = {name: int(stats.get(prefix + name, 0)) for name in names}
    for change in ("new", "changed", "unchanged", "withdrawn"):
        counts[change] = int(stats.get(f"{prefix}change/{change}", 0))
    counts["reports_seen"] = counts["new"] + counts["changed"] + counts["unchanged"]
    return counts


def _reports_before(db_path: Path, run_started: str) -> dict[str, int]:
    db = open_db(db_path)
    try:
        rows = db.query(
            "SELECT source_id, count(*) AS n FROM reports WHERE first_seen < ? GROUP BY source_id",
            [run_started],
        )
        return {row["source_id"]: row["n"] for row in rows if row["source_id"]}
    finally:
        db.close()


def build_run(
    run: CrawlRun, source_ids: Iterable[str], stats: dict[str, Any], db_path: Path
) -> CrawlRun:
    """Fill `run` from the crawl stats and the database, including statuses and the exit code."""
    before = _reports_before(db_path, run.started_at)
    for source_id in source_ids:
        counts = _source_counts(stats, source_id)
        status, detail = source_status(counts, before.get(source_id, 0))
        run.sources.append(
            SourceRun(
                source_id=source_id,
                status=status,
                detail=detail,
                pages=counts["archived"],
                reports_seen=counts["reports_seen"],
                reports_new=counts["new"],
                reports_changed=counts["changed"],
                failures=counts["failed"] + counts["fetch_failed"],
            )
        )
    run.pages = int(stats.get("nianbao/archived", 0))
    run.not_modified = int(stats.get("nianbao/not_modified", 0))
    run.full_downloads = int(stats.get("nianbao/full_downloads", 0))
    run.reports_new = int(stats.get("nianbao/change/new", 0))
    run.reports_changed = int(stats.get("nianbao/change/changed", 0))
    run.reports_unchanged = int(stats.get("nianbao/change/unchanged", 0))
    run.reports_withdrawn = int(stats.get("nianbao/change/withdrawn", 0))
    run.failures_by_reason = {
        key.removeprefix("nianbao/failure/"): int(value)
        for key, value in stats.items()
        if key.startswith("nianbao/failure/")
    }
    run.failures = sum(run.failures_by_reason.values())
    run.failed_requests = list(stats.get("nianbao/failed_requests", []))
    db = open_db(db_path)
    try:
        previous = previous_statuses(db, run.id)
    finally:
        db.close()
    newly_failing = [
        s.source_id
        for s in run.sources
        if s.status in FAILING_STATUSES and previous.get(s.source_id) not in FAILING_STATUSES
    ]
    run.exit_code = 1 if newly_failing else 0
    return run


def summary_table(run: CrawlRun) -> str:
    """The run as a plain-text table for the terminal."""
    header = (
        f"{'source':<28} {'status':<8} {'pages':>6} {'seen':>5} {'new':>5} {'chg':>4} "
        f"{'fail':>5}  detail"
    )
    lines = [f"crawl run {run.id}", header, "-" * len(header)]
    for s in run.sources:
        lines.append(
            f"{s.source_id:<28} {s.status:<8} {s.pages:>6} {s.reports_seen:>5} {s.reports_new:>5} "
            f"{s.reports_changed:>4} {s.failures:>5}  {s.detail}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"pages {run.pages} (full downloads {run.full_downloads}, not modified {run.not_modified}); "
        f"reports new {run.reports_new}, changed {run.reports_changed}, "
        f"unchanged {run.reports_unchanged}, withdrawn {run.reports_withdrawn}; "
        f"failures {run.failures}"
        + (f" {json.dumps(run.failures_by_reason, ensure_ascii=False)}" if run.failures else "")
    )
    lines.append(
        f"fetched and archived in {run.fetch_seconds:.1f} s; "
        f"{run.documents_loaded} documents extracted and stored in {run.load_seconds:.1f} s"
        + (
            f" ({run.documents_extracted_ahead} of them extracted during the fetch)"
            if run.documents_extracted_ahead
            else ""
        )
    )
    return "\n".join(lines)
