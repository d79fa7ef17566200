"""What the archive already holds for each report URL, loaded once per crawl from the database.

Incremental crawls use it three ways: conditional requests (`If-None-Match`/`If-Modified-Since`
from the stored version's response), the stored copy to stand in for a `304 Not Modified`, and the
content hash that spares re-extracting bytes already read. Known report URLs are also revalidated
when due (`archive.revisits`) even when no list page links them any more, which is how
withdrawals are noticed; the schedule's facts come from the `revisits` table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from archive.revisits import RevisitFacts, parse_time


@dataclass(frozen=True)
class KnownDocument:
    url: str
    source_id: str | None
    role: str  # document | attachment
    sha256: str
    warc_file: str | None
    warc_offset: int | None
    etag: str | None
    last_modified: str | None
    title: str | None
    withdrawn: bool
    # The schedule's facts (`revisits` table); None when the URL has no history there yet.
    last_changed: str | None = None
    last_checked: str | None = None
    last_full: str | None = None

    @property
    def revisit(self) -> RevisitFacts:
        return RevisitFacts(self.url, parse_time(self.last_changed), parse_time(self.last_checked))


class KnownDocuments:
    """An in-memory index of the stored report versions, by URL."""

    def __init__(self, documents: list[KnownDocument] | None = None) -> None:
        self._by_url = {d.url: d for d in documents or []}

    @classmethod
    def load(cls, db_path: str | Path) -> KnownDocuments:
        """Read the index from the database at `db_path` (empty when there is none yet)."""
        if not Path(db_path).is_file():
            return cls()
        db = sqlite_utils.Database(db_path)
        try:
            if (
                "reports" not in db.table_names()
                or "version" not in db.table("reports").columns_dict
            ):
                return cls()
            schedule = (
                "s.last_changed, s.last_checked, s.last_full"
                if "revisits" in db.table_names()
                else "NULL AS last_changed, NULL AS last_checked, NULL AS last_full"
            )
            joined = (
                "LEFT JOIN revisits s ON s.url = r.url" if "revisits" in db.table_names() else ""
            )
            rows = db.query(
                f"""
                SELECT r.url, r.source_id, coalesce(p.role, 'document') AS role,
                       r.content_sha256 AS sha256, r.warc_file, r.warc_offset,
                       p.etag, p.last_modified, r.title, r.withdrawn_at IS NOT NULL AS withdrawn,
                       {schedule}
                FROM reports r
                LEFT JOIN pages p ON p.warc_file = r.warc_file AND p.warc_offset = r.warc_offset
                {joined}
                """
            )
            return cls(
                [
                    KnownDocument(
                        **row,
                    )
                    for row in rows
                ]
            )
        finally:
            db.close()

    def __iter__(self) -> Iterator[KnownDocument]:
        return iter(self._by_url.values())

    def __len__(self) -> int:
        return len(self._by_url)

    def get(self, url: str) -> KnownDocument | None:
        return self._by_url.get(url)

    def sha256(self, url: str) -> str | None:
        known = self._by_url.get(url)
        return known.sha256 if known else None

    def of_source(self, source_id: str) -> list[KnownDocument]:
        """The known report URLs of one portal, to revalidate."""
        return [d for d in self._by_url.values() if d.source_id == source_id]
