"""Page border frames: ruled boxes around a whole page that table finders take for a table.

WPS (and Word with 页面边框) draws a border round every page, often split by the header rule. A
ruling-line table finder (pdfplumber's, and `pdf_ruling`'s rebuild of it) reports it as a
one-column table whose cells hold the header and all the page's text, the real tables' labels
and numbers included. In the cell stream that giant cell sits between a table's rows on one page
and their continuation on the next, so it must go before the rows are read.

A table is a frame when it has one column and either encloses another table found on the page,
or is taller than `FRAME_PAGE_SHARE` of the page (a page of prose inside its border). A boxed
paragraph or a one-column table of ordinary height is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
# A one-column table taller than this share of the page is the page's border.
FRAME_PAGE_SHARE = 0.6
_SLACK = 1.0  # points: edges snapped together may differ by this much


def _encloses(outer: Box, inner: Box) -> bool:
    return (
        outer[0] - _SLACK <= inner[0]
        and outer[1] - _SLACK <= inner[1]
        and inner[2] <= outer[2] + _SLACK
        and inner[3] <= outer[3] + _SLACK
        and outer != inner
    )


def frame_indices(
    bboxes: Sequence[Box], single_column: Sequence[bool], page_height: float
) -> set[int]:
    """Indices of the tables (by their bounding boxes) that are page frames, not tables."""
    frames = set()
    for index, (box, one_column) in enumerate(zip(bboxes, single_column, strict=True)):
        if not one_column:
            continue
        tall = page_height > 0 and (box[3] - box[1]) > FRAME_PAGE_SHARE * page_height
        if tall or any(_encloses(box, other) for other in bboxes if other is not box):
            frames.add(index)
    return frames


def table_bbox(rows: Sequence[Sequence[Box]]) -> Box:
    """The box round all cells of a table."""
    cells = [cell for row in rows for cell in row]
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )
