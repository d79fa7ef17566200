"""The OCR engine: RapidOCR's PP-OCRv4 Chinese models (shipped inside the `rapidocr-onnxruntime`
wheel, never downloaded), on one CPU thread.

Two calls: `recognise` reads cropped single-line images (table cells, split into lines by
`ocr_tables`), `read_page` finds and reads every text line of a page (the prose around the tables).
The engine is built once per process, lazily: importing this module costs nothing, and a process
that never meets a scan never loads onnxruntime. Why this engine and not another: docs/ocr.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

ENGINE_NAME = "rapidocr-onnxruntime 1.4.4 (PP-OCRv4)"
# Below this a number read by OCR is doubtful: the report page and the bench flag it.
LOW_CONFIDENCE = 0.8
# Text lines scored below this by the recogniser are noise (specks, stamps, ruling fragments).
MIN_LINE_SCORE = 0.3
# Pages are shrunk to this long side before text detection: detection at full 150 dpi costs
# three times as much and finds the same prose lines (body text stays ≥ 12 px high).
DETECT_LONG_SIDE = 1280


@dataclass(frozen=True)
class TextLine:
    """A line of text read from a page: its box in the page image's pixels and the engine's score."""

    text: str
    score: float
    box: tuple[float, float, float, float]  # x0, top, x1, bottom (pixels)


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # One thread: extraction runs one document per worker process, so the workers use the cores.
    return RapidOCR(
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        use_cls=False,  # scans are upright: the angle classifier cost 15 % and changed nothing
        max_side_len=DETECT_LONG_SIDE,
    )


def available() -> str | None:
    """None when the engine can be loaded, else why not (a missing package)."""
    try:
        _engine()
    except ImportError as error:
        return f"OCR engine missing: {error}"
    return None


def recognise(crops: list[Any]) -> list[tuple[str, float]]:
    """Text and score of each single-line crop (H×W×3 uint8 arrays), in order."""
    if not crops:
        return []
    results, _elapsed = _engine().text_rec(crops)
    return [(str(text), float(score)) for text, score in results]


def read_page(image: Any) -> list[TextLine]:
    """Every text line the engine finds on a page image (H×W×3 uint8), top to bottom."""
    result, _elapsed = _engine()(image, use_cls=False)
    lines = []
    for points, text, score in result or []:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        if float(score) >= MIN_LINE_SCORE and str(text).strip():
            lines.append(TextLine(str(text), float(score), (min(xs), min(ys), max(xs), max(ys))))
    return lines
