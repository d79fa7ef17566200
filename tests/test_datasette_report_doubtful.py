"""The report page of a scanned report: doubtful numbers marked, and each OCR'd cell drawn on its
page of the archived scan.

A synthetic report's first page, scanned to a PNG (`portal.formats`' scan_png, seed 18), is
archived in a real WARC as a document of its own, read by OCR (`extract_document`) and stored
(`store_report`); one of its numbers is given a confidence under `LOW_CONFIDENCE`, as the
recogniser or a failed identity gives it. The page and the cell picture are fetched from
Datasette as `nianbao serve` configures it. OCR costs seconds: left out of `make test-fast`.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_datasette_queries import fetch, published_datasette

from archive.publish import prepare_for_publishing
from archive.schema import open_db
from archive.store import store_report
from archive.warc_store import WarcWriter
from pipeline.extraction.attachments.ocr import LOW_CONFIDENCE
from pipeline.extraction.document import FetchedDocument
from pipeline.extraction.extract import extract_document
from pipeline.extraction.report import STATUS_OCR
from portal.formats import render_formats
from portal.synthetic import generate

pytestmark = pytest.mark.slow

URL = "http://portal.test/xxgk/2021-report.png"
RED = (220, 20, 60)  # datasette/plugins/page_image.py's OUTLINE
DOUBTFUL = 0.42
PLUGIN = Path(__file__).resolve().parent.parent / "datasette" / "plugins" / "report_page.py"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The scanned PNG archived, read and stored; its database, archive, report id, the metric
    made doubtful and one left sure, and the PNG's bytes."""
    work = tmp_path_factory.mktemp("scanned-png")
    png = render_formats(generate(1, seed=18), ("scan_png",)).renderings["scan_png"][0].images[0]
    headers = {"content-type": "image/png"}
    location = WarcWriter(work / "archive").write_exchange(
        url=URL,
        method="GET",
        request_headers=[("Host", "portal.test")],
        request_body=b"",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "image/png"), ("Content-Length", str(len(png)))],
        response_body=png,
        fetched_at=datetime(2026, 12, 7, tzinfo=UTC),
        extra={},
    )
    report = extract_document(png, URL, headers)
    assert report.status == STATUS_OCR, report.status_reason
    read = sorted(key for key, metric in report.metrics.items() if metric.bbox and metric.raw)
    assert len(read) >= 2, report.metrics
    doubtful, sure = read[0], read[1]
    metrics = dict(report.metrics)
    metrics[doubtful] = replace(metrics[doubtful], confidence=DOUBTFUL)
    metrics[sure] = replace(metrics[sure], confidence=0.99)
    document = FetchedDocument(
        url=URL,
        status=200,
        body=png,
        headers=headers,
        fetched_at="2026-12-07T00:00:00+00:00",
        role="document",
        warc_file=location.filename,
        warc_offset=location.offset,
    )
    db_path = work / "nianbao.db"
    db = open_db(db_path)
    rid = store_report(db, document, replace(report, metrics=metrics))
    prepare_for_publishing(db)  # metric_labels, which the page lays the tables out by
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # Datasette opens it immutable
    db.conn.close()
    return {
        "db": db_path,
        "archive": work / "archive",
        "id": rid,
        "doubtful": doubtful,
        "sure": sure,
        "bbox": metrics[doubtful].bbox,
        "png": png,
    }


def _cell(page: str, key: str) -> str:
    """The `<td>` of metric `key` on the report page."""
    match = re.search(rf'<td data-key="{re.escape(key)}"[^>]*>.*?</td>', page, re.S)
    assert match, key
    return match.group(0)


def test_report_page_marks_a_doubtful_ocr_cell_with_its_confidence(scanned: dict) -> None:
    page = fetch(published_datasette(scanned["db"]), f"/-/report/{scanned['id']}").text
    cell = _cell(page, scanned["doubtful"])
    assert 'class="cell-doubtful"' in cell
    assert f"{DOUBTFUL:.2f}" in cell
    # Listed above the tables too, with its key.
    doubtful_list = page.split('class="doubtful-cells"', 1)[1].split("</ul>", 1)[0]
    assert scanned["doubtful"] in doubtful_list


def test_report_page_leaves_a_sure_ocr_cell_unmarked(scanned: dict) -> None:
    page = fetch(published_datasette(scanned["db"]), f"/-/report/{scanned['id']}").text
    assert "cell-doubtful" not in _cell(page, scanned["sure"])


def test_report_page_links_a_scanned_images_cell_to_its_picture(scanned: dict) -> None:
    page = fetch(published_datasette(scanned["db"]), f"/-/report/{scanned['id']}").text
    link = f"/-/report/{scanned['id']}/cell/{scanned['sure']}.png"
    assert link in _cell(page, scanned["sure"])


def test_cell_picture_of_a_scanned_png_is_the_image_with_the_cell_outlined(
    scanned: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np
    from PIL import Image

    monkeypatch.setenv("NIANBAO_ARCHIVE", str(scanned["archive"]))
    ds = published_datasette(scanned["db"])
    response = fetch(ds, f"/-/report/{scanned['id']}/cell/{scanned['doubtful']}.png")
    assert response.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content)).convert("RGB")
    scan = Image.open(io.BytesIO(scanned["png"]))
    assert picture.size == scan.size  # the scan itself, at its own resolution
    dpi = float(scan.info.get("dpi", (150, 150))[0] or 150)
    x0, top, x1, bottom = (value * dpi / 72 for value in scanned["bbox"])
    pixels = np.asarray(picture)
    ys, xs = np.nonzero(np.all(pixels == RED, axis=-1))
    assert len(xs), "no outline drawn"
    # The outline surrounds the cell's box, and the printed number is inside it.
    assert xs.min() < x0 < x1 < xs.max() and ys.min() < top < bottom < ys.max()
    inside = pixels[int(top) + 4 : int(bottom) - 4, int(x0) + 4 : int(x1) - 4]
    assert inside.sum(axis=-1).min() < 3 * 128, "no ink inside the outlined cell"


def test_report_page_plugin_counts_doubtful_below_the_pipelines_threshold() -> None:
    # The plugin imports nothing of nianbao's, so it keeps its own copy of the threshold.
    match = re.search(r"^LOW_CONFIDENCE = ([0-9.]+)$", PLUGIN.read_text(encoding="utf-8"), re.M)
    assert match and float(match.group(1)) == LOW_CONFIDENCE
