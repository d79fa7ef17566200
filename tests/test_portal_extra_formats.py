"""The sample portal's extra formats, crawled for real: a scanned PDF read by OCR (status `ocr`)
against the generator's truth, and a legacy .doc read whole through LibreOffice.

`SamplePortal(extra_formats=True)` is what `make demo` serves (`nianbao portal --extra-formats`).
OCR and LibreOffice cost seconds per document: left out of `make test-fast`.
"""

from __future__ import annotations

import sqlite3

import pytest
from conftest import run_nianbao

from pipeline.extraction.attachments.ocr import LOW_CONFIDENCE
from pipeline.extraction.report import STATUS_OCR, STATUS_OK

pytestmark = pytest.mark.slow

# Cells right ÷ cells in the truth on the scanned report (the aim for scans).
MIN_SCAN_ACCURACY = 0.97


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite3.Connection, dict]:
    """The plain site of a portal with the extra formats, crawled; its database and the truth of
    each extra document by format."""
    from portal.server import SamplePortal

    tmp_path = tmp_path_factory.mktemp("extra-formats")
    with SamplePortal(synthetic=9, seed=1, include_seeds=False, extra_formats=True) as portal:
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
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return db, by_format


def _report(db: sqlite3.Connection, url: str) -> tuple[sqlite3.Row, dict[str, sqlite3.Row]]:
    (report,) = db.execute("select * from reports where url = ?", [url]).fetchall()
    metrics = {
        row["key"]: row
        for row in db.execute("select * from metrics where report_id = ?", [report["id"]])
    }
    return report, metrics


def test_portal_publishes_a_scan_a_page_of_table_images_and_a_doc(crawled: tuple) -> None:
    _db, by_format = crawled
    assert set(by_format) == {"scan_pdf", "scan_png", "doc"}


def test_scanned_pdf_on_the_portal_is_read_by_ocr_against_the_generator_truth(
    crawled: tuple,
) -> None:
    db, by_format = crawled
    url, truth = by_format["scan_pdf"]
    report, metrics = _report(db, url)
    assert report["extraction_status"] == STATUS_OCR, report["status_reason"]
    assert (report["agency"], report["year"]) == (truth.agency, truth.year)
    right = [
        key
        for key, value in truth.metrics.items()
        if key in metrics and metrics[key]["value"] == value
    ]
    assert len(right) >= MIN_SCAN_ACCURACY * len(truth.metrics)
    # A cell read wrong is doubtful; every cell read keeps its confidence, page and box.
    for key in set(truth.metrics) - set(right):
        assert key not in metrics or metrics[key]["confidence"] < LOW_CONFIDENCE, key
    assert all(row["confidence"] is not None and row["page"] for row in metrics.values())


def test_legacy_doc_on_the_portal_is_read_whole(crawled: tuple) -> None:
    db, by_format = crawled
    url, truth = by_format["doc"]
    report, metrics = _report(db, url)
    assert report["extraction_status"] == STATUS_OK, report["status_reason"]
    assert {key: metrics[key]["value"] for key in truth.metrics if key in metrics} == truth.metrics
