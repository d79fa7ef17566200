"""Which column a printed number stands in, told by where it was printed.

A table drawn without rules reaches the reader as the words of a PDF's text layer
(`pipeline.extraction.layout_rows`). A row with blank cells prints fewer numbers than its table
has columns, and a blank leaves no trace in the text, so the order of the numbers does not say
whose columns they are. Their places do: each column's numbers stand at one x position in every
row (centred, or aligned alike, in their cell). The columns are where the numbers of the table's
full rows stand (the median of each column's centres), or, when no row prints every column,
where the column headers stand (自然人, 商业企业, …, 总计: the bottom header words, over their
columns). A number belongs to the column whose centre is nearest, and only when clearly so: its
centre within `CLEAR_SHARE` of the distance from that column's centre to the nearest other
column's. A number that is not clearly in one column, or two numbers in one column, leave the
row as it was read: missing, never guessed.

Pure functions over x positions; the table reader (`pipeline.extraction.tables`) says which
cells are a table's rows and header.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from pipeline.extraction.report import Place

# How far from its column's centre a number may stand, as a share of the distance to the next
# column's centre: numbers are centred (or aligned) in their cells, a header word left-aligned
# in a narrow column stands a fifth of the column off its centre at most.
CLEAR_SHARE = 0.3
# Column centres closer than this (points) are not two columns.
MIN_COLUMN_GAP = 4.0
# A header word shorter than this is not matched by its first characters (总 of 总计).
MIN_PREFIX = 2


def centre(place: Place) -> float:
    """The x centre of what was printed at `place`."""
    _page, (x0, _top, x1, _bottom) = place
    return (x0 + x1) / 2


def _usable(anchors: Sequence[float]) -> bool:
    return all(b - a >= MIN_COLUMN_GAP for a, b in zip(anchors, anchors[1:], strict=False))


def columns_of(centres: Sequence[float], anchors: Sequence[float]) -> list[int] | None:
    """The column of each of a row's printed numbers (x `centres`, in printed order) among the
    columns centred at `anchors` (left to right); None unless each is clearly in one column
    and they stand in different columns, left to right as printed."""
    if not anchors or not _usable(anchors):
        return None
    found: list[int] = []
    for x in centres:
        column = min(range(len(anchors)), key=lambda j: abs(anchors[j] - x))
        gaps = [
            abs(anchors[j] - anchors[column])
            for j in (column - 1, column + 1)
            if 0 <= j < len(anchors)
        ]
        if gaps and abs(anchors[column] - x) > CLEAR_SHARE * min(gaps):
            return None
        if found and column <= found[-1]:
            return None
        found.append(column)
    return found


def anchors_from_rows(rows: Sequence[Sequence[float]], width: int) -> list[float] | None:
    """Column centres from the x centres of full rows (`width` numbers each): the median of each
    column's; None when there is no full row or one of them does not stand in those columns."""
    full = [row for row in rows if len(row) == width]
    if not full:
        return None
    anchors = [median(row[column] for row in full) for column in range(width)]
    if any(columns_of(row, anchors) != list(range(width)) for row in full):
        return None
    return anchors


def anchors_from_header(
    header: Sequence[tuple[str, float]], names: Sequence[Sequence[str]]
) -> list[float] | None:
    """Column centres from the header words (`header`: each word's text, bare of numbering and
    notes, and its x centre), column by column by `names` (the words each column's header may
    print): a word that is a column's name, else the first characters of one name alone (a
    header wrapped over two lines: 社会公益 / 组织). None unless every column is found once (or
    at one place) and they stand left to right."""
    every_name = {name for column_names in names for name in column_names}
    anchors: list[float] = []
    for column_names in names:
        exact = [x for text, x in header if text in column_names]
        prefix = [
            x
            for text, x in header
            if len(text) >= MIN_PREFIX
            and text not in every_name
            and _prefix_of_one(text, names) == column_names
        ]
        found = exact or prefix
        if not found or max(found) - min(found) > MIN_COLUMN_GAP:
            return None
        anchors.append(median(found))
    return anchors if _usable(anchors) and anchors == sorted(anchors) else None


def _prefix_of_one(text: str, names: Sequence[Sequence[str]]) -> Sequence[str] | None:
    """The one column whose name starts with `text`; None for none or several."""
    columns = [column for column in names if any(name.startswith(text) for name in column)]
    return columns[0] if len(columns) == 1 else None
