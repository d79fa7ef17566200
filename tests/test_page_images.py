"""A report page paired with its archived table pictures from the archive alone: by the load
after a crawl (the `pages` rows) and by the rebuild (the WARC files), the same way.

The pictures are archived after their page, with another document between, as a crawl archives
them; one answered 404, one is a 40-pixel badge, one was never archived. No picture here is a
table, so nothing is read by OCR: what is checked is the pairing and what the report says of
each picture it could not have.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlite_utils
from PIL import Image
from test_load import archive_only
from test_rebuild import BASE, SOURCE, FakeCrawl

from archive.load import load_pending
from archive.rebuild import rebuild
from archive.schema import open_db
from pipeline.extraction.report import STATUS_NO_TABLES

PAGE = "/zwgk/ndbg/202401/t20240115_1.html"
HTML = "text/html; charset=utf-8"


def _png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (side, side), 255).save(out, format="PNG")
    return out.getvalue()


def _page(words: str = "") -> bytes:
    return (
        "<html><head><title>示例市人民政府2023年政府信息公开工作年度报告</title></head><body>"
        f"<h1>示例市人民政府2023年政府信息公开工作年度报告</h1><p>本报告由示例市人民政府编制。{words}</p>"
        '<img src="/uploads/t1.png"><img src="/uploads/t2.png"><img src="/uploads/t3.png">'
        "</body></html>"
    ).encode()


@pytest.fixture
def crawled(tmp_path: Path) -> tuple[Path, Path]:
    """An archive and the database a crawl left before its load (documents pending)."""
    crawl = FakeCrawl.started(tmp_path)
    crawl.fetch(PAGE, "document", _page(), content_type=HTML, processor=archive_only)
    crawl.fetch("/other.txt", "document", b"x=1", processor=archive_only)
    crawl.fetch(
        "/uploads/t1.png", "image", b"not found", 404, content_type=HTML, processor=archive_only
    )
    crawl.fetch("/uploads/t2.png", "image", _png(40), content_type="image/png",
                processor=archive_only)  # fmt: skip
    crawl.close()
    crawl.db.close()
    return tmp_path / "archive", tmp_path / "crawl.db"


def _report_and_pictures(db_path: Path) -> tuple[dict, list[tuple]]:
    db = sqlite_utils.Database(db_path)
    try:
        (report,) = db.query(
            "select extraction_status, status_reason from reports where url = ?", [BASE + PAGE]
        )
        pictures = list(
            db.execute(
                "select url, status, outcome, reason from pages where role = 'image' order by url"
            ).fetchall()
        )
        return report, pictures
    finally:
        db.close()


def test_load_notes_each_picture_the_archive_lacks_and_passes_over_a_badge(
    crawled: tuple[Path, Path],
) -> None:
    archive, db_path = crawled
    load_pending(db_path, archive, workers=0, cache=False)
    report, pictures = _report_and_pictures(db_path)
    assert report["extraction_status"] == STATUS_NO_TABLES
    reason = report["status_reason"]
    assert f"table image {BASE}/uploads/t1.png not read: HTTP 404" in reason
    assert f"table image {BASE}/uploads/t3.png not read: not archived" in reason
    assert "t2.png" not in reason  # archived, but a badge: no table to read
    assert pictures == [
        (f"{BASE}/uploads/t1.png", 404, "failed", "HTTP 404"),
        (f"{BASE}/uploads/t2.png", 200, "archived", ""),
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_rebuild_pairs_the_page_with_its_later_pictures_as_the_load_did(
    crawled: tuple[Path, Path], tmp_path: Path, workers: int
) -> None:
    archive, db_path = crawled
    load_pending(db_path, archive, workers=0, cache=False)
    rebuilt = tmp_path / "rebuilt.db"
    rebuild(archive, rebuilt, sources=[SOURCE], workers=workers, cache=False)
    assert _report_and_pictures(rebuilt) == _report_and_pictures(db_path)


def test_a_page_read_again_from_its_record_keeps_its_pictures(crawled: tuple[Path, Path]) -> None:
    """Stored as A, then B and A fetched: the last A went to its worker as "the stored content"
    and is read again once B is stored (`archive.load._as_of_now`), still with its pictures."""
    archive, db_path = crawled
    load_pending(db_path, archive, workers=0, cache=False)
    db = open_db(db_path)
    crawl = FakeCrawl(archive, db)
    crawl.second = 30
    crawl.fetch(PAGE, "document", _page("（修订）"), content_type=HTML, processor=archive_only)
    crawl.fetch(PAGE, "document", _page(), content_type=HTML, processor=archive_only)
    crawl.close()
    db.close()
    load_pending(db_path, archive, workers=1, cache=False)
    report, _ = _report_and_pictures(db_path)
    assert f"table image {BASE}/uploads/t1.png not read: HTTP 404" in report["status_reason"]
    versions = sqlite_utils.Database(db_path).execute(
        "select count(*) from report_versions v join reports r on r.id = v.report_id "
        "where r.url = ?",
        [BASE + PAGE],
    )
    assert versions.fetchone()[0] == 3
