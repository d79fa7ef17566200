"""Cells right per format: synthetic reports rendered every way agencies publish them, read back.

    .venv/bin/python bench/extract_accuracy.py [--reports N] [--formats html,pdf_browser,…]

N synthetic reports (`portal.synthetic.generate`, seed 18) are rendered in each format of
`portal.formats` (the HTML page, the portal's DOCX and reportlab PDF, a WPS-like PDF, Chromium's
print of the page, LibreOffice's PDF, DOC and DOCX of the DOCX), each rendering is read by
`extract_document`, and every cell of the generator's truth (metric key → value; for `pdf_wps`
the truth of what that rendering prints, `portal.wps_render.wps_truth`) is compared with what was
read: a cell is right when the key was read with the truth's value. Per format it prints cells right ÷ cells in
the truth, the reports by status, and the reports whose status is `ok` although cells are missing
(an `ok` that cannot be trusted; should be 0). The truth comes from the generator only, never from
the extractor. `bench/run.py`'s `accuracy` stage calls `bench_accuracy`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.extraction.extract import extract_document  # noqa: E402
from pipeline.extraction.report import STATUS_OK  # noqa: E402
from portal.formats import FORMATS, Rendering, render_formats  # noqa: E402
from portal.synthetic import generate  # noqa: E402

SEED = 18


def score(renderings: list[Rendering]) -> dict[str, Any]:
    """Cells right, cells in the truth, statuses and `ok`-but-missing reports for one format."""
    right = cells = ok_missing = 0
    statuses: Counter[str] = Counter()
    started = time.perf_counter()  # wall: a DOC's conversion runs in LibreOffice
    for rendering in renderings:
        report = extract_document(rendering.body, rendering.url, rendering.headers)
        statuses[report.status] += 1
        truth = rendering.truth.metrics
        read = sum(
            1
            for key, value in truth.items()
            if key in report.metrics and report.value(key) == value
        )
        right += read
        cells += len(truth)
        if report.status == STATUS_OK and read < len(truth):
            ok_missing += 1
    wall_s = time.perf_counter() - started
    return {
        "reports": len(renderings),
        "cells": cells,
        "cells_right": right,
        "accuracy": right / cells if cells else 0.0,
        "statuses": dict(statuses),
        "ok_missing_cells": ok_missing,
        "extract_ms": 1000 * wall_s / len(renderings) if renderings else 0.0,
    }


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


def bench_accuracy(reports: int) -> dict[str, Any]:
    """The bench's `accuracy` keys: `accuracy_<format>` (cells right ÷ cells in the truth), the
    reports per format, `ok` reports missing cells over all formats, and the details."""
    per_format = measure(reports)
    results: dict[str, Any] = {
        f"accuracy_{fmt}": fig["accuracy"] for fmt, fig in per_format.items()
    }
    results["accuracy_reports_per_format"] = reports
    results["accuracy_ok_missing_cells"] = sum(f["ok_missing_cells"] for f in per_format.values())
    results["accuracy"] = per_format
    return results


def table(per_format: dict[str, Any]) -> str:
    lines = [
        f"{'format':<15} {'cells right':>22} {'accuracy':>9} {'ok, cells missing':>18} "
        f"{'render s':>9} {'extract ms':>11}  statuses"
    ]
    for fmt, fig in per_format.items():
        statuses = ", ".join(f"{status} {n}" for status, n in sorted(fig["statuses"].items()))
        lines.append(
            f"{fmt:<15} {fig['cells_right']:>10,} of {fig['cells']:>8,} {fig['accuracy']:>8.1%} "
            f"{fig['ok_missing_cells']:>18} {fig['render_s']:>9.1f} {fig['extract_ms']:>11.1f}  "
            f"{statuses}" + (f"  ({fig['problem']})" if "problem" in fig else "")
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
