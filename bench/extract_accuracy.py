"""Cells right per format: synthetic reports rendered every way agencies publish them, read back.

    .venv/bin/python bench/extract_accuracy.py [--reports N] [--formats html,pdf_browser,…]

N synthetic reports (`portal.synthetic.generate`, seed 18) are rendered in each format of
`portal.formats` (the HTML page, the portal's DOCX and reportlab PDF, a WPS-like PDF with and
without ruling lines, Chromium's print of the page, LibreOffice's PDF, DOC and DOCX of the DOCX),
each rendering is read by `extract_document`, and every cell of the generator's truth (metric
key → value; for `pdf_wps` and `pdf_wps_borderless` the truth of what that rendering prints,
`portal.wps_render.wps_truth`) is compared with what was
read: a cell is right when the key was read with the truth's value. Per format it prints cells right ÷ cells in
the truth, the reports by status, and the reports whose status is `ok` although cells are missing
(an `ok` that cannot be trusted; should be 0). For the scanned formats (`scan_pdf`, `scan_png`,
read by OCR) and the documents whose tables are pictures (`docx_table_images`,
`pdf_table_images`) it also counts the wrong cells left unflagged: read with a confidence of at least
`LOW_CONFIDENCE` and in no failed identity (should be 0), and the OCR's CPU seconds per page. The truth comes from the generator only, never from
the extractor. `bench/run.py`'s `accuracy` stage calls `bench_accuracy`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.extraction.attachments.ocr import LOW_CONFIDENCE  # noqa: E402
from pipeline.extraction.checks import rule_cells  # noqa: E402
from pipeline.extraction.extract import extract_document  # noqa: E402
from pipeline.extraction.report import STATUS_OK, ExtractedReport  # noqa: E402
from portal.formats import FORMATS, SCAN_FORMATS, Rendering, render_formats  # noqa: E402
from portal.synthetic import generate  # noqa: E402

SEED = 18
# Formats read by OCR: the full bench reads fewer of them (seconds a page, not milliseconds).
OCR_FORMATS = SCAN_FORMATS


def _in_failed_check(report: ExtractedReport) -> set[str]:
    """Keys of the cells read into an identity that failed."""
    failed = {check.rule for check in report.checks if check.passed is False}
    cells = rule_cells(report.template, report.metrics)
    return {key for rule in failed for key in cells.get(rule, ())}


def _unflagged_wrong(report: ExtractedReport, truth: dict[str, Any]) -> int:
    """Cells read wrong (or not at all) that neither a low confidence nor a failed check flags."""
    in_failed = _in_failed_check(report)
    unflagged = 0
    for key, value in truth.items():
        metric = report.metrics.get(key)
        if metric is not None and metric.value == value:
            continue
        flagged = (
            key in in_failed
            or key in report.missing_rows
            or (
                metric is not None
                and metric.confidence is not None
                and metric.confidence < LOW_CONFIDENCE
            )
        )
        if metric is None or any(key.startswith(f"{row}.") for row in report.missing_rows):
            flagged = True  # a cell of a row not found: missing_rows names it
        unflagged += not flagged
    return unflagged


def _score_one(rendering: Rendering) -> dict[str, Any]:
    """One rendering read and scored: its status, cells right, cells in the truth, whether it is
    an `ok` missing cells, and for a scan its unflagged wrong cells, pages and CPU seconds."""
    cpu_started = time.process_time()  # CPU: OCR's cost on one core, whatever the machine's load
    report = extract_document(
        rendering.body, rendering.url, rendering.headers, images=rendering.images
    )
    cpu_s = time.process_time() - cpu_started
    truth = rendering.truth.metrics
    read = sum(
        1 for key, value in truth.items() if key in report.metrics and report.value(key) == value
    )
    scan = rendering.fmt in OCR_FORMATS
    return {
        "status": report.status,
        "right": read,
        "cells": len(truth),
        "ok_missing": report.status == STATUS_OK and read < len(truth),
        "unflagged": _unflagged_wrong(report, truth) if scan else 0,
        "pages": _pages(rendering) if scan else 0,
        "cpu_s": cpu_s,
    }


def _scored(renderings: list[Rendering]) -> list[dict[str, Any]]:
    """Each rendering scored; scans (seconds a page) on every core, one document per process as
    extraction runs them, the rest here (a DOC's conversion has its own LibreOffice)."""
    if len(renderings) > 1 and all(r.fmt in OCR_FORMATS for r in renderings):
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            return list(pool.map(_score_one, renderings))
    return [_score_one(rendering) for rendering in renderings]


def score(renderings: list[Rendering]) -> dict[str, Any]:
    """Cells right, cells in the truth, statuses and `ok`-but-missing reports for one format."""
    started = time.perf_counter()  # wall: a DOC's conversion runs in LibreOffice
    scored = _scored(renderings)
    wall_s = time.perf_counter() - started
    statuses = Counter(one["status"] for one in scored)
    right, cells = sum(one["right"] for one in scored), sum(one["cells"] for one in scored)
    pages = sum(one["pages"] for one in scored)
    ocr = (
        {
            "unflagged_wrong_cells": sum(one["unflagged"] for one in scored),
            # the reading processes' own CPU time over the pages read
            "ocr_seconds_per_page": sum(one["cpu_s"] for one in scored) / pages,
        }
        if pages
        else {}
    )
    return {
        **ocr,
        "reports": len(renderings),
        "cells": cells,
        "cells_right": right,
        "accuracy": right / cells if cells else 0.0,
        "statuses": dict(statuses),
        "ok_missing_cells": sum(one["ok_missing"] for one in scored),
        # wall per report; scans are read in parallel, so theirs is the elapsed time ÷ reports
        "extract_ms": 1000 * wall_s / len(renderings) if renderings else 0.0,
    }


def _pages(rendering: Rendering) -> int:
    """Pages of a scan: its images, the pictures of its Word file, or the pages of its PDF."""
    if rendering.images:
        return len(rendering.images)
    if rendering.body.startswith(b"PK"):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(rendering.body)) as archive:
            return sum(name.startswith("word/media/") for name in archive.namelist())
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(rendering.body)
    try:
        return len(document)
    finally:
        document.close()


def measure(reports: int, formats: tuple[str, ...] = FORMATS) -> dict[str, Any]:
    """Per format: `score` of `reports` renderings, plus the seconds the rendering took."""
    specs = generate(reports, seed=SEED)
    rendered = render_formats(specs, formats)
    per_format: dict[str, Any] = {}
    for fmt in formats:
        figures = score(rendered.renderings.get(fmt, []))
        figures["render_s"] = rendered.seconds.get(fmt, 0.0)
        if fmt in rendered.problems:
            figures["problem"] = rendered.problems[fmt]
        per_format[fmt] = figures
    return per_format


def bench_accuracy(
    reports: int, scan_reports: int | None = None, formats: tuple[str, ...] = FORMATS
) -> dict[str, Any]:
    """The bench's `accuracy` keys: `accuracy_<format>` (cells right ÷ cells in the truth), the
    reports per format, `ok` reports missing cells over all formats, and the details. The scanned
    formats read `scan_reports` reports (OCR costs seconds a page; the small scale reads one)."""
    text_formats = tuple(fmt for fmt in formats if fmt not in OCR_FORMATS)
    scan_formats = tuple(fmt for fmt in formats if fmt in OCR_FORMATS)
    per_format = measure(reports, text_formats) if text_formats else {}
    if scan_formats:
        per_format.update(measure(reports if scan_reports is None else scan_reports, scan_formats))
    results: dict[str, Any] = {
        f"accuracy_{fmt}": fig["accuracy"] for fmt, fig in per_format.items()
    }
    results["accuracy_reports_per_format"] = reports
    results["accuracy_scan_reports_per_format"] = scan_reports or reports
    results["accuracy_ok_missing_cells"] = sum(f["ok_missing_cells"] for f in per_format.values())
    scans = [per_format[fmt] for fmt in scan_formats if "ocr_seconds_per_page" in per_format[fmt]]
    if scans:
        results["accuracy_scan_unflagged_wrong_cells"] = sum(
            f["unflagged_wrong_cells"] for f in scans
        )
        results["ocr_seconds_per_page"] = max(f["ocr_seconds_per_page"] for f in scans)
    results["accuracy"] = per_format
    return results


def table(per_format: dict[str, Any]) -> str:
    lines = [
        f"{'format':<18} {'cells right':>22} {'accuracy':>9} {'ok, cells missing':>18} "
        f"{'render s':>9} {'extract ms':>11}  statuses"
    ]
    for fmt, fig in per_format.items():
        statuses = ", ".join(f"{status} {n}" for status, n in sorted(fig["statuses"].items()))
        lines.append(
            f"{fmt:<18} {fig['cells_right']:>10,} of {fig['cells']:>8,} {fig['accuracy']:>8.1%} "
            f"{fig['ok_missing_cells']:>18} {fig['render_s']:>9.1f} {fig['extract_ms']:>11.1f}  "
            f"{statuses}" + (f"  ({fig['problem']})" if "problem" in fig else "")
        )
        if "ocr_seconds_per_page" in fig:
            lines.append(
                f"{'':<18} wrong cells not flagged: {fig['unflagged_wrong_cells']}; "
                f"OCR {fig['ocr_seconds_per_page']:.2f} CPU s per page"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100, help="synthetic reports per format")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    print(table(measure(args.reports, formats)))


if __name__ == "__main__":
    main()
