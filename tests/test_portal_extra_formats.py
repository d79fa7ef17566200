"""The sample portal's extra formats, crawled for real: a scanned PDF and a typed PDF whose tables
are pictures read by OCR (status `ocr`) against the generator's truth, a report page whose tables
are PNG pictures (fetched by the crawl, archived, read with the page by OCR, and read the same by
`nianbao rebuild` from the WARC files alone), and a legacy .doc read whole through LibreOffice.

`SamplePortal(extra_formats=True)` is what `make demo` serves (`nianbao portal --extra-formats`).
OCR and LibreOffice cost seconds per document: left out of `make test-fast`.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import run_nianbao

from pipeline.extraction.attachments.ocr import LOW_CONFIDENCE
from pipeline.extraction.document import OUTCOME_ARCHIVED, ROLE_IMAGE
from pipeline.extraction.report import STATUS_OCR, STATUS_OK

pytestmark = pytest.mark.slow

# Cells right ÷ cells in the truth on the scanned report (the aim for scans).
MIN_SCAN_ACCURACY = 0.97


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite3.Connection, dict, Path]:
    """The plain site of a portal with the extra formats, crawled; its database, the truth of
    each extra document by format, and the working directory (archive/, sources.yaml)."""
    from portal.server import SamplePortal

    tmp_path = tmp_path_factory.mktemp("extra-formats")
    # Twelve: four on each of the three families' sites, the plain site's four in the extra formats.
    with SamplePortal(synthetic=12, seed=1, include_seeds=False, extra_formats=True) as portal:
        sources = tmp_path / "sources.yaml"
        portal.write_sources(sources)
        db_path = tmp_path / "nianbao.db"
        run_nianbao(
            "crawl",
            "--sources",
            str(sources),
            "--only",
            "sample-plain",
            "--db",
            str(db_path),
            "--archive",
            str(tmp_path / "archive"),
            "--log-level",
            "WARNING",
        )
        by_format = {fmt: (url, portal.truth[url]) for fmt, url in portal.extra_documents().items()}
        # The pictures the page shows, as the portal serves it (not as the crawler reads it).
        page = urllib.request.urlopen(by_format["scan_png"][0], timeout=60).read().decode()
        pictures = [
            urljoin(by_format["scan_png"][0], src)
            for src in re.findall(r'<img src="([^"]+)"', page)
        ]
        (tmp_path / "scan_png_images.txt").write_text("\n".join(pictures))
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return db, by_format, tmp_path


def _report(db: sqlite3.Connection, url: str) -> tuple[sqlite3.Row, dict[str, sqlite3.Row]]:
    (report,) = db.execute("select * from reports where url = ?", [url]).fetchall()
    metrics = {
        row["key"]: row
        for row in db.execute("select * from metrics where report_id = ?", [report["id"]])
    }
    return report, metrics


def test_portal_publishes_a_scan_a_page_of_table_images_a_pdf_of_pictures_and_a_doc(
    crawled: tuple,
) -> None:
    _db, by_format, _ = crawled
    assert set(by_format) == {"scan_pdf", "scan_png", "pdf_table_pictures", "doc"}


def _assert_read_by_ocr(db: sqlite3.Connection, url: str, truth: object) -> None:
    """Status `ocr`, the generator's agency and year, at least `MIN_SCAN_ACCURACY` of the cells
    right, every wrong one doubtful, and every cell with its confidence, page and box."""
    report, metrics = _report(db, url)
    assert report["extraction_status"] == STATUS_OCR, report["status_reason"]
    assert (report["agency"], report["year"]) == (truth.agency, truth.year)  # type: ignore[attr-defined]
    expected = truth.metrics  # type: ignore[attr-defined]
    right = [
        key for key, value in expected.items() if key in metrics and metrics[key]["value"] == value
    ]
    assert len(right) >= MIN_SCAN_ACCURACY * len(expected)
    for key in set(expected) - set(right):
        assert key not in metrics or metrics[key]["confidence"] < LOW_CONFIDENCE, key
    assert all(row["confidence"] is not None and row["page"] for row in metrics.values())


def test_scanned_pdf_on_the_portal_is_read_by_ocr_against_the_generator_truth(
    crawled: tuple,
) -> None:
    db, by_format, _ = crawled
    _assert_read_by_ocr(db, *by_format["scan_pdf"])


def test_typed_pdf_whose_tables_are_pictures_on_the_portal_is_read_by_ocr(
    crawled: tuple,
) -> None:
    db, by_format, _ = crawled
    _assert_read_by_ocr(db, *by_format["pdf_table_pictures"])


def test_crawl_fetches_and_archives_the_table_images_of_a_report_page(crawled: tuple) -> None:
    db, _by_format, work = crawled
    work_images = (work / "scan_png_images.txt").read_text().split()
    images = db.execute(
        "select url, status, outcome, warc_file from pages where role = ? order by url",
        [ROLE_IMAGE],
    ).fetchall()
    # One PNG per scanned page, every one archived; no other picture of the site was fetched.
    assert images, "no picture fetched"
    assert all(
        (row["status"], row["outcome"]) == (200, OUTCOME_ARCHIVED) and row["warc_file"]
        for row in images
    )
    assert [row["url"] for row in images] == sorted(work_images)


def test_report_page_of_png_tables_is_read_by_ocr_against_the_generator_truth(
    crawled: tuple,
) -> None:
    """The page's pictures, fetched by the crawl and paired with the page by the load."""
    db, by_format, _ = crawled
    _assert_read_by_ocr(db, *by_format["scan_png"])


def _report_and_metrics(db_path: Path, url: str) -> tuple[dict, dict[str, tuple]]:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        report, metrics = _report(db, url)
        columns = ("extraction_status", "status_reason", "agency", "year", "title")
        return (
            {name: report[name] for name in columns},
            {key: (row["value"], row["confidence"], row["page"]) for key, row in metrics.items()},
        )
    finally:
        db.close()


@pytest.mark.parametrize("cache", ["--no-cache", "--cache"])
def test_rebuild_reads_the_png_table_page_from_the_warc_files_alone_as_the_crawl_did(
    crawled: tuple, tmp_path: Path, cache: str
) -> None:
    """--no-cache: the pictures are found and read by OCR again from the archive; --cache: the
    cached reading is found under the same key (page and pictures) the crawl's load kept."""
    _db, by_format, work = crawled
    url, _truth = by_format["scan_png"]
    rebuilt = tmp_path / "rebuilt.db"
    run_nianbao(
        "rebuild",
        "--archive",
        str(work / "archive"),
        "--db",
        str(rebuilt),
        "--sources",
        str(work / "sources.yaml"),
        "--no-progress",
        cache,
    )
    assert _report_and_metrics(rebuilt, url) == _report_and_metrics(work / "nianbao.db", url)


def test_legacy_doc_on_the_portal_is_read_whole(crawled: tuple) -> None:
    db, by_format, _ = crawled
    url, truth = by_format["doc"]
    report, metrics = _report(db, url)
    assert report["extraction_status"] == STATUS_OK, report["status_reason"]
    assert {key: metrics[key]["value"] for key in truth.metrics if key in metrics} == truth.metrics
