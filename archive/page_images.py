"""Pairing an archived HTML report page with the archived pictures of its tables.

The archive is the source of truth for the pairing: the page's own archived HTML names its
pictures (`pipeline.extraction.table_images.table_image_urls`, the names the crawl requested),
and each name is looked up among the archived responses fetched as pictures (role `image`):
the latest record of that URL gives the picture's hash and WARC location, or the problem that
kept it out (an HTTP error, a redirect). A name with no record at all is "not archived" (its
request failed without a response: the failure, with its reason, is the picture's own page row).

Two indexes of the same records: the load stage asks the database's `pages` rows (`from_pages`,
in a worker, read-only), the rebuild builds one as it walks the WARC files (`ImageIndex.add`).
`with_image_names` puts the names on a page (the rebuild's walk does it while it has the body),
`ImageIndex.resolve` looks them up, and `image_bodies` reads the pictures back for extraction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from archive.warc_read import WarcReadError, read_record
from pipeline.extraction.document import (
    OUTCOME_FAILED,
    ROLE_DOCUMENT,
    ROLE_IMAGE,
    FetchedDocument,
    PageImage,
)
from pipeline.extraction.outcome import outcome_without_extraction
from pipeline.extraction.table_images import table_image_urls

NOT_ARCHIVED = "not archived"


def with_image_names(doc: FetchedDocument) -> FetchedDocument:
    """`doc` with the pictures its HTML names as possible tables (names only, not looked up);
    `doc` itself when it is not a report page answered with a body or names none."""
    if doc.role != ROLE_DOCUMENT or doc.status != 200 or doc.images or not doc.body:
        return doc
    names = table_image_urls(doc.body, doc.url, doc.content_type)
    return replace(doc, images=tuple(PageImage(url) for url in names)) if names else doc


def _archived(
    url: str,
    status: int,
    outcome: str,
    reason: str,
    sha256: str,
    warc_file: str | None,
    warc_offset: int | None,
) -> PageImage:
    """A picture's record as `PageImage`: its place, or why it cannot be read (a failed page
    row's reason: an HTTP error, a redirect, a challenge page)."""
    if outcome != OUTCOME_FAILED and status == 200:
        return PageImage(url, sha256, warc_file, warc_offset)
    return PageImage(url, problem=reason or f"HTTP {status}")


@dataclass
class ImageIndex:
    """The latest archived record of each picture URL, as a resolved `PageImage`."""

    latest: dict[str, PageImage] = field(default_factory=dict)

    def add(self, doc: FetchedDocument) -> None:
        """Take in a response record fetched as a picture (later records replace earlier ones;
        a 304 leaves the copy it stands for)."""
        if doc.role != ROLE_IMAGE or doc.status == 304:
            return
        settled = outcome_without_extraction(doc) or (OUTCOME_FAILED, "")
        self.latest[doc.url] = _archived(
            doc.url, doc.status, *settled, doc.sha256, doc.warc_file, doc.warc_offset
        )

    def resolve(self, doc: FetchedDocument) -> FetchedDocument:
        """`doc` with each picture it names looked up here."""
        if not doc.images:
            return doc
        return replace(
            doc,
            images=tuple(
                self.latest.get(image.url, PageImage(image.url, problem=NOT_ARCHIVED))
                for image in doc.images
            ),
        )


def from_pages(db_path: str | Path, urls: Iterable[str]) -> ImageIndex:
    """The index of `urls` from the database's page rows of archived pictures (read-only)."""
    index = ImageIndex()
    wanted = sorted(set(urls))
    if not wanted:
        return index
    conn = sqlite3.connect(f"file:{Path(db_path).as_posix()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            f"""
            SELECT url, status, outcome, reason, sha256, warc_file, warc_offset FROM pages
            WHERE role = ? AND warc_file IS NOT NULL AND status != 304
              AND url IN ({", ".join("?" for _ in wanted)})
            ORDER BY fetched_at, warc_file, warc_offset
            """,
            [ROLE_IMAGE, *wanted],
        ).fetchall()
    finally:
        conn.close()
    for url, status, outcome, reason, sha256, warc_file, warc_offset in rows:
        index.latest[url] = _archived(
            url, status, outcome, reason or "", sha256 or "", warc_file, warc_offset
        )
    return index


def resolved_from_pages(doc: FetchedDocument, db_path: str | Path) -> FetchedDocument:
    """`doc` named and looked up against the database's archived pictures (the load stage)."""
    doc = with_image_names(doc)
    if not doc.images:
        return doc
    return from_pages(db_path, (image.url for image in doc.images)).resolve(doc)


def image_bodies(archive_dir: str | Path, images: Sequence[PageImage]) -> list[bytes | None]:
    """The archived body of each looked-up picture (None: none archived, or unreadable)."""
    bodies: list[bytes | None] = []
    for image in images:
        if image.problem or image.warc_file is None or image.warc_offset is None:
            bodies.append(None)
            continue
        try:
            bodies.append(read_record(archive_dir, image.warc_file, image.warc_offset).body)
        except WarcReadError:
            bodies.append(None)
    return bodies
