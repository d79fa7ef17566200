"""Cells right on real reports: saved pages of real agencies, against values checked by hand.

    .venv/bin/python bench/real_accuracy.py

Each `tests/fixtures/real/reports/*.truth.yaml` names a real report saved in the same folder
(provenance in `tests/fixtures/real/README.md`) and gives its table cells as read by hand from the
document: rows under the project's row keys (`pipeline/extraction/keys.py`), values in the
template's column order, `null` for a cell printed blank; a report in the old 统计表 (template
`pre2019`) names each printed indicator under its `pre2019` key instead. The report goes through
`extract_document`, the entry `nianbao extract` uses, and every hand-checked cell is compared: a
cell is right when its key was read with the truth's value (a blank cell: read, and blank).
`bench/run.py`'s `accuracy` stage calls `bench_real_accuracy` for the key `accuracy_real`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.extraction.extract import extract_document  # noqa: E402
from pipeline.extraction.keys import PRE2019_KEYS, TEMPLATE_KEYS, TEMPLATE_PRE2019  # noqa: E402
from pipeline.extraction.report import STATUS_OK, ExtractedReport  # noqa: E402

REAL_REPORTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real" / "reports"
# The sections of a truth file and the metric-key prefix their rows sit under.
_SECTIONS = {"active": "active", "apply": "apply", "review": ""}
_CONTENT_TYPES = {"html": "text/html", "text": "text/plain"}


@dataclass(frozen=True)
class RealReport:
    """One saved real report and its hand-checked truth."""

    name: str
    body: bytes
    url: str
    content_type: str
    truth: dict[str, Any]
    cells: dict[str, float | None]  # metric key → value printed (None: printed blank)


def _row_columns(template: str, row_key: str) -> list[str]:
    # 'apply.new' → ['apply.new.natural', …]: the template's keys of that row, in order.
    return [key for key in TEMPLATE_KEYS[template] if key.rsplit(".", 1)[0] == row_key]


def _pre2019_cells(truth: dict[str, Any]) -> dict[str, float | None]:
    # The old 统计表 has no fixed rows: the truth names each printed indicator that has a key
    # (`active.total: 2069` → pre2019.active.total) and leaves out the ones it did not print.
    cells: dict[str, float | None] = {}
    for indicator, value in (truth.get("pre2019") or {}).items():
        key = f"pre2019.{indicator}"
        if key not in PRE2019_KEYS:
            raise ValueError(f"{truth['fixture']}: {key} is not a pre2019 key")
        cells[key] = None if value is None else float(value)
    return cells


def truth_cells(truth: dict[str, Any]) -> dict[str, float | None]:
    """{metric key: value} of a truth file's rows; a row of the wrong length is an error."""
    template = str(truth["template"])
    if template == TEMPLATE_PRE2019:
        return _pre2019_cells(truth)
    cells: dict[str, float | None] = {}
    for section, prefix in _SECTIONS.items():
        for row, values in (truth.get(section) or {}).items():
            row_key = f"{prefix}.{row}" if prefix else row
            columns = _row_columns(template, row_key)
            if len(columns) != len(values):
                raise ValueError(f"{truth['fixture']}: {row_key} has {len(values)} values")
            for key, value in zip(columns, values, strict=True):
                cells[key] = None if value is None else float(value)
    return cells


def load_real_reports(folder: Path = REAL_REPORTS) -> list[RealReport]:
    """Every real report with a truth file in `folder`, by name."""
    reports = []
    for truth_path in sorted(folder.glob("*.truth.yaml")):
        truth = yaml.safe_load(truth_path.read_text(encoding="utf-8"))
        fixture = folder / truth["fixture"]
        reports.append(
            RealReport(
                name=fixture.stem,
                body=fixture.read_bytes(),
                url=truth.get("url") or f"http://127.0.0.1:8000/real/{fixture.name}",
                content_type=_CONTENT_TYPES.get(truth.get("format", "html"), "text/html"),
                truth=truth,
                cells=truth_cells(truth)
                if truth.get("template") in (*TEMPLATE_KEYS, TEMPLATE_PRE2019)
                else {},
            )
        )
    return reports


def extract(report: RealReport) -> ExtractedReport:
    """The report read as `nianbao extract` reads it."""
    return extract_document(report.body, report.url, {"Content-Type": report.content_type})


def wrong_cells(report: RealReport, read: ExtractedReport) -> dict[str, tuple[Any, Any]]:
    """{metric key: (truth, read)} for every hand-checked cell not read as printed."""
    wrong: dict[str, tuple[Any, Any]] = {}
    missing_rows = set(read.missing_rows)
    for key, value in report.cells.items():
        metric = read.metrics.get(key)
        # A row the reader did not find may still carry blank metrics: not a blank cell read.
        if metric is None or key.rsplit(".", 1)[0] in missing_rows:
            wrong[key] = (value, "missing")
        elif metric.value != value:
            wrong[key] = (value, metric.value)
    return wrong


def score() -> dict[str, Any]:
    """Cells right over the real corpus, per report, and `ok` reports with cells wrong."""
    right = cells = ok_wrong = 0
    per_report: dict[str, Any] = {}
    for report in load_real_reports():
        read = extract(report)
        wrong = wrong_cells(report, read)
        right += len(report.cells) - len(wrong)
        cells += len(report.cells)
        ok_wrong += read.status == STATUS_OK and bool(wrong)
        per_report[report.name] = {
            "status": read.status,
            "expected_status": report.truth.get("status"),
            "cells": len(report.cells),
            "cells_right": len(report.cells) - len(wrong),
            "wrong": {key: list(pair) for key, pair in sorted(wrong.items())},
        }
    return {
        "reports": len(per_report),
        "cells": cells,
        "cells_right": right,
        "accuracy": right / cells if cells else 0.0,
        "ok_wrong_cells": ok_wrong,
        "per_report": per_report,
    }


def bench_real_accuracy() -> dict[str, Any]:
    """The bench keys: `accuracy_real` (cells right ÷ hand-checked cells) and its details."""
    figures = score()
    return {
        "accuracy_real": figures["accuracy"],
        "accuracy_real_reports": figures["reports"],
        "accuracy_real_cells": figures["cells"],
        "accuracy_real_ok_wrong_cells": figures["ok_wrong_cells"],
        "accuracy_real_detail": figures["per_report"],
    }


def main() -> None:
    figures = score()
    for name, fig in figures["per_report"].items():
        print(
            f"{name:<40} {fig['cells_right']:>4} of {fig['cells']:>4}  "
            f"{fig['status']} (expected {fig['expected_status']})"
        )
        for key, (truth, got) in fig["wrong"].items():
            print(f"    {key}: printed {truth}, read {got}")
    print(
        f"real reports {figures['reports']}: {figures['cells_right']} of {figures['cells']} cells "
        f"right ({figures['accuracy']:.1%}); ok with cells wrong: {figures['ok_wrong_cells']}"
    )


if __name__ == "__main__":
    main()
