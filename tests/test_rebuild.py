"""Rebuild: the database again from WARC files alone, equal to what the crawl stored."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from archive.content import decode_content
from archive.publish import prepare_for_publishing
from archive.rebuild import Processor, rebuild
from archive.schema import open_db
from archive.store import current_report, store_page, store_report, store_source
from archive.versions import ingest
from archive.warc_store import WarcWriter, fetched_at_text
from crawler.sources import Source
from pipeline.extraction.document import DOCUMENT_ROLES, FetchedDocument
from pipeline.extraction.outcome import ProcessedDocument
from pipeline.extraction.report import Check, ExtractedReport, Fact, Metric
from portal.content import SEEDS_DIR, load_seed_truth

BASE = "http://127.0.0.1:8000"
SOURCE = Source(
    id="sample-gov",
    agency="示例市人民政府",
    family="plain",
    start_urls=(f"{BASE}/",),
    allowed_hosts=("127.0.0.1:8000",),
)
DERIVED = ("pages", "reports", "metrics", "checks", "facts")


def stand_in(
    doc: FetchedDocument, source_agency: str | None, known_sha256: str | None = None
) -> ProcessedDocument:
    """A tiny extractor: one metric per line 'key=value' of the body, a check, a fact."""
    if doc.role not in DOCUMENT_ROLES:
        return ProcessedDocument(doc, "archived")
    if doc.status != 200:
        return ProcessedDocument(doc, "failed", f"HTTP {doc.status}")
    pairs = [line.split("=", 1) for line in doc.body.decode().splitlines() if "=" in line]
    report = ExtractedReport(
        url=doc.url,
        status="ok",
        agency=source_agency,
        year=2020,
        metrics={k: Metric(k, float(v), v) for k, v in pairs},
        checks=[Check("sum", len(pairs) % 2 == 0, len(pairs), 2)],
        facts=[Fact("lines", float(len(pairs)), "件", doc.body.decode())],
    )
    return ProcessedDocument(doc, "extracted", "", report)


def archive_exchange(
    writer: WarcWriter,
    path: str,
    role: str,
    body: bytes,
    fetched_at: datetime,
    status: int = 200,
    gzipped: bool = False,
    content_type: str = "text/plain; charset=utf-8",
) -> FetchedDocument:
    """Archive one exchange as the crawl's archive middleware does, and hand back the document it
    passes on."""
    headers = [("Content-Type", content_type)]
    wire = body
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
        wire = gzip.compress(body)
    extra = {"source": SOURCE.id, "role": role, "link-text": f"链接 {path}"}
    location = writer.write_exchange(
        url=BASE + path,
        method="GET",
        request_headers=[],
        request_body=b"",
        status=status,
        reason="",
        response_headers=headers,
        response_body=wire,
        fetched_at=fetched_at,
        extra=extra,
    )
    return FetchedDocument(
        url=BASE + path,
        status=status,
        body=decode_content(wire, "gzip" if gzipped else None),
        headers={name.lower(): value for name, value in headers},
        fetched_at=fetched_at_text(fetched_at),
        source_id=SOURCE.id,
        role=role,
        link_text=f"链接 {path}",
        warc_file=location.filename,
        warc_offset=location.offset,
    )


class FakeCrawl:
    """Archives exchanges the way the crawl middleware does, and stores what the crawl would."""

    def __init__(self, archive: Path, db: sqlite_utils.Database) -> None:
        self.writer = WarcWriter(archive)
        self.db = db
        self.second = 0

    def fetch(
        self,
        path: str,
        role: str,
        body: bytes,
        status: int = 200,
        gzipped: bool = False,
        content_type: str = "text/plain; charset=utf-8",
        processor: Processor = stand_in,
    ) -> None:
        self.second += 1
        fetched_at = datetime(2026, 3, 1, 8, 0, self.second, 500_000, tzinfo=UTC)
        doc = archive_exchange(
            self.writer, path, role, body, fetched_at, status, gzipped, content_type
        )
        known = current_report(self.db, doc.url) if role in ("document", "attachment") else None
        processed = processor(doc, SOURCE.agency, known["content_sha256"] if known else None)
        ingest(self.db, processed)

    def close(self) -> None:
        """What the crawl's store pipeline does when the spider closes."""
        self.writer.close()
        prepare_for_publishing(self.db)

    @classmethod
    def started(cls, work: Path) -> FakeCrawl:
        """A crawl of `SOURCE` into `work`/archive and `work`/crawl.db (`crawl.db.close()` it)."""
        db = open_db(work / "crawl.db")
        store_source(db, SOURCE)
        return cls(work / "archive", db)


def rows(path: Path) -> dict[str, list[dict[str, object]]]:
    db = sqlite_utils.Database(path)
    return {table: sorted(db[table].rows, key=repr) for table in DERIVED}


@pytest.fixture
def crawled(tmp_path: Path) -> tuple[Path, Path]:
    """An archive and the database the crawl stored alongside it."""
    crawl = FakeCrawl.started(tmp_path)
    crawl.fetch("/", "other", b"home")
    crawl.fetch("/list.html", "list", b"list page")
    crawl.fetch("/a.txt", "document", b"x=1\ny=2")
    crawl.fetch("/b.txt", "attachment", b"z=3", gzipped=True)
    crawl.fetch("/gone.txt", "document", b"not found", status=404)
    crawl.fetch("/a.txt", "document", b"x=5")  # fetched again: the later copy wins
    crawl.close()
    crawl.db.close()
    return tmp_path / "archive", tmp_path / "crawl.db"


def test_rebuild_equals_what_the_crawl_stored(crawled: tuple[Path, Path], tmp_path: Path) -> None:
    archive, crawl_db = crawled
    rebuild(archive, tmp_path / "rebuilt.db", sources=[SOURCE], process=stand_in)
    assert rows(tmp_path / "rebuilt.db") == rows(crawl_db)


def test_rebuild_summary_counts_responses_documents_reports_failures(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    summary = rebuild(crawled[0], tmp_path / "rebuilt.db", sources=[SOURCE], process=stand_in)
    assert (summary.responses, summary.documents, summary.reports, summary.failed) == (6, 4, 2, 1)
    assert summary.errors == []


def test_rebuild_into_the_crawled_database_changes_nothing(crawled: tuple[Path, Path]) -> None:
    archive, crawl_db = crawled
    before = rows(crawl_db)
    rebuild(archive, crawl_db, process=stand_in)
    assert rows(crawl_db) == before


def test_rebuild_removes_rows_the_archive_does_not_hold(crawled: tuple[Path, Path]) -> None:
    archive, crawl_db = crawled
    db = open_db(crawl_db)
    stray = FetchedDocument(url=BASE + "/stray.txt", status=200, body=b"q=1", role="document")
    store_page(db, stray, "extracted")
    store_report(db, stray, stand_in(stray, None).report)  # type: ignore[arg-type]
    db.close()
    rebuild(archive, crawl_db, process=stand_in)
    urls = {row["url"] for row in sqlite_utils.Database(crawl_db)["reports"].rows}
    assert urls == {BASE + "/a.txt", BASE + "/b.txt"}


def test_agency_comes_from_the_sources_in_the_database(crawled: tuple[Path, Path]) -> None:
    archive, crawl_db = crawled
    rebuild(archive, crawl_db, process=stand_in)  # no source file given
    agencies = {row["agency"] for row in sqlite_utils.Database(crawl_db)["reports"].rows}
    assert agencies == {SOURCE.agency}


def test_corrupt_file_is_reported_and_the_rest_rebuilt(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    archive = crawled[0]
    (archive / "0-damaged.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: resp")[:-6])
    summary = rebuild(archive, tmp_path / "rebuilt.db", sources=[SOURCE], process=stand_in)
    assert len(summary.errors) == 1 and "0-damaged.warc.gz" in summary.errors[0]
    assert summary.reports == 2


def test_a_new_database_is_written_apart_and_renamed_into_place_in_wal_mode(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    rebuild(crawled[0], out / "new.db", sources=[SOURCE], process=stand_in)
    assert sorted(path.name for path in out.iterdir()) == ["new.db"]
    conn = sqlite3.connect(out / "new.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_a_failed_rebuild_into_a_new_path_leaves_nothing_there(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    def broken(doc: FetchedDocument, *args: object) -> ProcessedDocument:
        raise RuntimeError("extractor broke")

    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="extractor broke"):
        rebuild(crawled[0], out / "new.db", sources=[SOURCE], process=broken, cache=False)
    assert list(out.iterdir()) == []


def test_rebuild_with_the_real_extractor_equals_the_crawl(tmp_path: Path) -> None:
    from pipeline.extraction.outcome import process_fetched

    archive, crawl_db = tmp_path / "archive", tmp_path / "crawl.db"
    db = open_db(crawl_db)
    store_source(db, SOURCE)
    crawl = FakeCrawl(archive, db)
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    for seed in seeds:
        crawl.fetch(
            f"/files/{seed.name}",
            "attachment",
            seed.read_bytes(),
            gzipped=True,
            processor=process_fetched,
        )
    crawl.close()
    db.close()
    rebuild(archive, tmp_path / "rebuilt.db", sources=[SOURCE])
    rebuilt = rows(tmp_path / "rebuilt.db")
    assert rebuilt == rows(crawl_db)
    # The hand-checked seed truth, independent of the code: each seed's year and agency.
    by_url = {row["url"]: row for row in rebuilt["reports"]}
    for seed in seeds:
        truth = load_seed_truth(seed.with_suffix(".yaml"))
        row = by_url[f"{BASE}/files/{seed.name}"]
        assert (row["year"], row["agency"]) == (truth["year"], truth["agency"])
