"""Characters with boxes → text, the way pdfplumber's default `extract_text()` joins them.

The fast PDF reader (`pipeline.extraction.attachments.pdf_pdfium`) takes characters from PDFium but must give the same
text as the pdfplumber path, both for a whole page and for one table cell. This module is
pdfplumber 0.11's non-layout text assembly for upright, left-to-right characters: characters
clustered into lines by their top (3 pt tolerance, chained), sorted by x0 within a line, split
into words at blanks and at gaps wider than 3 pt, words joined by one space and lines by "\n".
Pure Python over plain tuples; no PDF library here.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

from pipeline.extraction.attachments.base import PrintedWord

X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
# pdfplumber expands these when it merges characters into words.
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


class Char(NamedTuple):
    """One character in pdfplumber's coordinates: x grows rightwards, top grows downwards."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


class Word(NamedTuple):
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


Item = TypeVar("Item")


def cluster(
    items: Sequence[Item], key: Callable[[Item], float], tolerance: float, keep_order: bool
) -> list[list[Item]]:
    """Items grouped by `key`, values chained within `tolerance` (pdfplumber's cluster_objects).

    With `keep_order` the groups are runs of consecutive items of one cluster, in input order;
    without it, whole clusters by ascending value, items in input order inside each.
    """
    values = sorted({key(item) for item in items})
    cluster_of: dict[float, int] = {}
    index = -1
    last: float | None = None
    for value in values:
        if last is None or value > last + tolerance:
            index += 1
        cluster_of[value] = index
        last = value
    tagged = [(item, cluster_of[key(item)]) for item in items]
    if not keep_order:
        tagged.sort(key=lambda pair: pair[1])
    return [[item for item, _ in run] for _, run in itertools.groupby(tagged, key=lambda p: p[1])]


def _top(item: Char | Word) -> float:
    return item.top


def _x0(char: Char) -> float:
    return char.x0


def words(chars: Sequence[Char]) -> list[Word]:
    """Words in reading order: lines top to bottom, characters left to right."""
    found: list[Word] = []
    for line in cluster(chars, _top, Y_TOLERANCE, keep_order=False):
        current: list[Char] = []
        for char in sorted(line, key=_x0):
            if char.text.isspace():
                if current:
                    found.append(_word(current))
                current = []
                continue
            if current:
                previous = current[-1]
                if (
                    char.x0 < previous.x0
                    or char.x0 > previous.x1 + X_TOLERANCE
                    or abs(char.top - previous.top) > Y_TOLERANCE
                ):
                    found.append(_word(current))
                    current = []
            current.append(char)
        if current:
            found.append(_word(current))
    return found


def _word(chars: list[Char]) -> Word:
    text = "".join(_LIGATURES.get(char.text, char.text) for char in chars)
    return Word(
        text,
        min(char.x0 for char in chars),
        min(char.top for char in chars),
        max(char.x1 for char in chars),
        max(char.bottom for char in chars),
    )


def page_lines(chars: Sequence[Char]) -> list[list[Word]]:
    """A page's printed lines, each its words with their boxes: the lines of `page_text`."""
    return cluster(words(chars), _top, Y_TOLERANCE, keep_order=True)


def page_text(chars: Sequence[Char]) -> str:
    """A page's text as pdfplumber's `page.extract_text()` gives it."""
    return lines_text(page_lines(chars))


def lines_text(lines: list[list[Word]]) -> str:
    """Printed lines as text: words joined by a space, lines by a line break."""
    return "\n".join(" ".join(word.text for word in line) for line in lines)


def printed_words(lines: list[list[Word]], page_number: int) -> list[list[PrintedWord]]:
    """`lines` of page `page_number` as a reader's text layer: each word with its page and box."""
    return [
        [(word.text, (page_number, (word.x0, word.top, word.x1, word.bottom))) for word in line]
        for line in lines
    ]


def unplaced_words(text: str) -> list[list[PrintedWord]]:
    """The non-blank lines of `text` as a text layer whose words' places are unknown."""
    return [[(token, None) for token in line.split()] for line in text.splitlines() if line.strip()]


Box = tuple[float, float, float, float]  # x0, top, x1, bottom


class CellFinder:
    """A page's characters, to be handed out by the table cell holding each one's centre (the
    rule of pdfplumber's `Table.extract`), in content order."""

    def __init__(self, chars: Sequence[Char]) -> None:
        self._centred = sorted(
            ((c.top + c.bottom) / 2, (c.x0 + c.x1) / 2, order, c) for order, c in enumerate(chars)
        )
        self._middles = [entry[0] for entry in self._centred]

    def chars_in(self, box: Box) -> list[Char]:
        x0, top, x1, bottom = box
        start, stop = bisect_left(self._middles, top), bisect_left(self._middles, bottom)
        # Back in content order: pdfplumber groups a cell's characters in that order.
        inside = sorted((o, c) for _, h, o, c in self._centred[start:stop] if x0 <= h < x1)
        return [char for _, char in inside]


def ink_box(chars: Sequence[Char], cell: Box) -> Box:
    """Where a cell's text is printed: the box around its non-blank characters, the cell's own
    box when it prints nothing. Tighter than the cell, so it holds no neighbour's characters."""
    x0, top, x1, bottom = cell[2], cell[3], cell[0], cell[1]  # an empty box, grown below
    for char in chars:
        if not char.text.isspace():
            x0, top = min(x0, char.x0), min(top, char.top)
            x1, bottom = max(x1, char.x1), max(bottom, char.bottom)
    return (x0, top, x1, bottom) if x0 <= x1 else cell


def cell_text(chars: Sequence[Char]) -> str:
    """A table cell's text as pdfplumber's `Table.extract()` gives it."""
    return lines_text(cluster(words(chars), _top, Y_TOLERANCE, keep_order=False))
