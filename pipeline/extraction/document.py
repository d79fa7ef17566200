"""The vocabulary the crawl, extraction and the archive share: one archived HTTP response
(`FetchedDocument`), the roles it was fetched in, and the outcomes its page row can have.

The crawl builds a `FetchedDocument` from a live Scrapy response, `nianbao rebuild` builds the same
thing from a WARC record; both hand it to the same extraction and loading code, which is why a
rebuilt database equals the crawled one. This module sits at the bottom: it imports nothing of ours.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# What the spider fetched a URL as; written into the WARC request record (WARC-Nianbao-Role).
ROLE_LIST = "list"  # a column/list page: navigation only
ROLE_DOCUMENT = "document"  # a detail page that may be a report
ROLE_ATTACHMENT = "attachment"  # a file linked from a detail page (PDF, DOCX, XLS(X), TXT)
ROLE_IMAGE = "image"  # a picture a report page shows that may hold its tables; read with that page
ROLE_OTHER = "other"  # home pages, robots.txt, anything else
DOCUMENT_ROLES = (ROLE_DOCUMENT, ROLE_ATTACHMENT)

# What became of an archived response: `pages.outcome`.
OUTCOME_ARCHIVED = "archived"  # kept in the archive, nothing to extract (lists, robots, redirects)
OUTCOME_PENDING = "pending"  # a document archived by the fetch, extracted by the load after it
OUTCOME_EXTRACTED = "extracted"  # read into a report row (whatever its extraction status)
OUTCOME_UNCHANGED = "unchanged"  # same content as the stored version (304, or the same SHA-256)
OUTCOME_FAILED = "failed"  # should have been a document but could not be read; reason says why
OUTCOMES = (
    OUTCOME_ARCHIVED,
    OUTCOME_PENDING,
    OUTCOME_EXTRACTED,
    OUTCOME_UNCHANGED,
    OUTCOME_FAILED,
)

# Marks the archived copy that stands in for a `304 Not Modified` (the 304 itself is what the
# archive records for the visit); such a copy is followed for links, never stored again.
NOT_MODIFIED_HEADER = "X-Nianbao-Not-Modified"


@dataclass(frozen=True)
class PageImage:
    """A picture an HTML report page shows that may hold its tables, as the archive has it.

    The archive layer fills it in before extraction (`archive.page_images`): the page's own HTML
    names the picture (`url`), the archive's latest record of that URL gives its `sha256` and
    WARC location, or the `problem` that kept it out (not archived, HTTP 404, a download failure).
    A picture only named (no location, no problem) has not been looked up yet.
    """

    url: str
    sha256: str = ""
    warc_file: str | None = None
    warc_offset: int | None = None
    problem: str = ""


@dataclass
class FetchedDocument:
    """A response body with where it came from and where it is archived.

    `body` is the decoded entity (after Content-Encoding), `headers` the response headers with
    lower-cased names.
    """

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""  # ISO 8601, UTC
    source_id: str | None = None
    role: str = ROLE_OTHER
    link_text: str | None = None  # the anchor text that led to this URL
    referer: str | None = None
    warc_file: str | None = None  # file name relative to the archive directory
    warc_offset: int | None = None
    sha256: str = ""
    run_id: str | None = None  # the crawl run that fetched it (WARC-Nianbao-Run)
    # An HTML report page's table pictures in page order (`PageImage`), found by the archive layer.
    images: tuple[PageImage, ...] = ()

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")
