"""Where each metric of a scanned report was read, how sure OCR was, and which cells are doubtful.

`tables.read_tables` reads a flat stream of cell texts and returns metrics with the text each was
read from, in reading order. `attach_readings` walks the OCR'd cells in the same order and gives
each metric the page, box and confidence of the cell it was read from (the next unused cell with
the metric's printed text). `flag_doubtful` then uses the accounting identities: a cell read into
two or more identities that fail is the likely misreading (a total and a part disagreeing on one
row and one column meet in it), so its confidence is lowered below `LOW_CONFIDENCE`. Numbers are
never changed; only how far they are trusted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from pipeline.extraction.attachments.ocr import LOW_CONFIDENCE
from pipeline.extraction.attachments.ocr_tables import CellReading
from pipeline.extraction.checks import rule_cells
from pipeline.extraction.report import Check, Metric

# How many cells ahead of the last matched one a metric's cell is looked for first.
SEARCH_AHEAD = 60
# The confidence a cell meeting several failed identities is lowered to.
DOUBTFUL_CONFIDENCE = 0.2
# Failed identities a cell must be read into to be the doubtful one.
DOUBTFUL_FAILURES = 2


def attach_readings(
    metrics: Mapping[str, Metric],
    rows: Sequence[Sequence[str]],
    readings: Sequence[Sequence[CellReading | None]],
    missing_rows: Sequence[str] = (),
) -> dict[str, Metric]:
    """The metrics with `page`, `bbox` and `confidence` of the OCR'd cell each was read from.

    `readings` is aligned with `rows` (None for a cell not read by OCR, e.g. an HTML table)."""
    stream = [
        (text.strip(), reading)
        for row, row_readings in zip(rows, readings, strict=True)
        for text, reading in zip(row, row_readings, strict=True)
    ]
    used = [False] * len(stream)
    cursor = 0
    placed: dict[str, Metric] = {}
    for key, metric in metrics.items():
        if any(key.startswith(f"{row}.") or key == row for row in missing_rows):
            placed[key] = metric  # stored blank because its row was not found: no cell
            continue
        raw = metric.raw.strip()
        ahead = range(cursor, min(cursor + SEARCH_AHEAD, len(stream)))
        found = next((i for i in ahead if not used[i] and stream[i][0] == raw), None)
        if found is None:
            found = next(
                (i for i in range(len(stream)) if not used[i] and stream[i][0] == raw), None
            )
        reading = stream[found][1] if found is not None else None
        if found is None or reading is None:
            placed[key] = metric
            continue
        used[found] = True
        cursor = found + 1
        placed[key] = replace(
            metric, page=reading.page, bbox=reading.bbox, confidence=reading.confidence
        )
    return placed


def flag_doubtful(
    template: str, metrics: Mapping[str, Metric], checks: Sequence[Check]
) -> dict[str, Metric]:
    """The metrics with the cells met by several failed identities marked doubtful."""
    failed = {check.rule for check in checks if check.passed is False}
    if not failed:
        return dict(metrics)
    failures: Counter[str] = Counter()
    for rule, cell_keys in rule_cells(template, metrics).items():
        if rule in failed:
            failures.update(cell_keys)
    flagged = dict(metrics)
    for key, count in failures.items():
        metric = flagged.get(key)
        if count >= DOUBTFUL_FAILURES and metric is not None and metric.confidence is not None:
            flagged[key] = replace(metric, confidence=min(metric.confidence, DOUBTFUL_CONFIDENCE))
    return flagged


def doubtful_keys(metrics: Mapping[str, Metric]) -> list[str]:
    """Keys of the cells read by OCR below `LOW_CONFIDENCE`, in metric order."""
    return [
        key
        for key, metric in metrics.items()
        if metric.confidence is not None and metric.confidence < LOW_CONFIDENCE
    ]
