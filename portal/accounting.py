"""What became of every report the sample portal published, according to a crawl's database.

Each report with tables ends in exactly one of: `archived` (stored with the generator's metrics),
`wrong` (stored with other metrics), `failed` (its own request, or a page a crawler must pass
through to find it — its detail page, its list page — failed, with the reason), or `lost` (none of
these: the crawl dropped it silently). Used by `make faults` and the fault tests.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.server import SamplePortal


@dataclass
class Accounting:
    archived: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # URL -> reason
    lost: list[str] = field(default_factory=list)
    duplicates: int = 0
    integrity: str = ""


def _last_failure(db: sqlite3.Connection, url: str) -> str | None:
    """The reason of the URL's last page row if that row is a failure; None otherwise.

    A redirect loop or a refused redirect is recorded under its first URL with the hop in its
    reason, so a reason naming the URL counts too."""
    row = db.execute(
        "SELECT outcome, reason FROM pages WHERE url = ? ORDER BY rowid DESC LIMIT 1", [url]
    ).fetchone()
    if row and row[0] == "failed" and row[1]:
        return str(row[1])
    if row is None:
        row = db.execute(
            "SELECT reason FROM pages WHERE outcome = 'failed' AND reason LIKE ? "
            "ORDER BY rowid DESC LIMIT 1",
            [f"%{url}%"],
        ).fetchone()
        return str(row[0]) if row else None
    return None


def account(db_path: str | Path, portal: SamplePortal) -> Accounting:
    """Every report with tables on `portal`: archived, wrong, failed with a reason, or lost."""
    db = sqlite3.connect(db_path)
    try:
        reports = dict(db.execute("SELECT url, id FROM reports"))
        result = Accounting()
        for url, truth in portal.truth.items():
            if not truth.metrics:
                continue
            if url in reports:
                stored = dict(
                    db.execute("SELECT key, value FROM metrics WHERE report_id = ?", [reports[url]])
                )
                (result.archived if stored == truth.metrics else result.wrong).append(url)
                continue
            reason = _last_failure(db, url)
            if reason is None:
                for page in portal.site_of(url).finding_pages(url):
                    page_reason = _last_failure(db, page)
                    if page_reason is not None:
                        reason = f"not reached: {page} failed: {page_reason}"
                        break
            if reason is None:
                result.lost.append(url)
            else:
                result.failed[url] = reason
        result.duplicates = db.execute(
            "SELECT count(*) - count(DISTINCT url) FROM reports"
        ).fetchone()[0]
        result.duplicates += db.execute(
            "SELECT count(*) FROM (SELECT report_id, sha256 FROM report_versions "
            "GROUP BY 1, 2 HAVING count(*) > 1)"
        ).fetchone()[0]
        result.integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        return result
    finally:
        db.close()
