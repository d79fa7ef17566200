"""Readings of small table-cell crops reused within one document, so that near-identical crops
are not recognised again.

Most cells of table 三 hold a lone `0` or a small number, and the recogniser costs as much for a
lone digit as for a short label (its input is padded to a minimum width). A crop is looked up by
its ink (binarised, cut to the ink's bounding box): it takes the reading of an exemplar read
earlier in the same document when the two inks have the same size within 1 px and differ in at
most one pixel in `MAX_DIFFERENCE_FRACTION` of the ink. Only crops read with a score of at least
`MIN_EXEMPLAR_SCORE` become exemplars, and a crop that takes an exemplar's reading takes its
score too. Only crops at most `MAX_INK_WIDTH` pixels wide are cached: on wider crops (labels) a
differing character is a small part of the ink (`第（五）项` against `第（九）项` differ in under 20 %
of their pixels) and the recogniser costs per pixel of width anyway.

Measured on 4 scanned reports (seed 18; docs/ocr.md): 660 of 928 number crops took an exemplar's
reading, none read otherwise than the recogniser would have; the closest pair of different
digits (a blurred `2` and `7`, 26 ink pixels) differ in 9 pixels, three times this threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Ink wider than this (pixels at the scan's resolution: a number of about four digits) is not cached.
MAX_INK_WIDTH = 30
# Two inks match when they differ in at most this fraction of the smaller ink's pixels (and in at
# least MIN_DIFFERENCE_ALLOWED pixels: JPEG noise moves a pixel or two on any crop).
MAX_DIFFERENCE_FRACTION = 1 / 8
MIN_DIFFERENCE_ALLOWED = 2
# Only readings this sure become exemplars.
MIN_EXEMPLAR_SCORE = 0.9


@dataclass
class CropCache:
    """Exemplar inks and their readings, per document; `hits` counts the crops not recognised."""

    exemplars: dict[tuple[int, int], list[tuple[Any, str, float]]] = field(default_factory=dict)
    hits: int = 0

    def lookup(self, ink: Any) -> tuple[str, float] | None:
        """The reading of an exemplar matching this ink (a boolean mask cut to its ink), if any."""
        height, width = ink.shape
        if width > MAX_INK_WIDTH:
            return None
        count = int(ink.sum())
        for dh in (0, -1, 1):
            for dw in (0, -1, 1):
                for exemplar, text, score in self.exemplars.get((height + dh, width + dw), ()):
                    allowed = max(
                        MIN_DIFFERENCE_ALLOWED,
                        int(min(count, int(exemplar.sum())) * MAX_DIFFERENCE_FRACTION),
                    )
                    if _difference(ink, exemplar) <= allowed:
                        self.hits += 1
                        return text, score
        return None

    def add(self, ink: Any, text: str, score: float) -> None:
        """Keep a crop read by the recogniser as an exemplar if it is small and read surely."""
        if ink.shape[1] <= MAX_INK_WIDTH and score >= MIN_EXEMPLAR_SCORE and text.strip():
            self.exemplars.setdefault(ink.shape, []).append((ink, text, score))


def _difference(first: Any, second: Any) -> int:
    """Pixels set in one ink and not the other, both anchored at their top-left corner."""
    import numpy as np

    height = max(first.shape[0], second.shape[0])
    width = max(first.shape[1], second.shape[1])
    a = np.zeros((height, width), dtype=bool)
    b = np.zeros((height, width), dtype=bool)
    a[: first.shape[0], : first.shape[1]] = first
    b[: second.shape[0], : second.shape[1]] = second
    return int(np.count_nonzero(a ^ b))
