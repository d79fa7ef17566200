"""Ruling lines → table cells, as pdfplumber's default "lines" table strategy finds them.

Input is the page's edges (horizontal and vertical segments taken from its painted lines,
rectangles and curves, in pdfplumber's coordinates: top grows downwards). The steps are
pdfplumber 0.11's `TableFinder` with default settings: edges shorter than 1 pt dropped; edges
snapped to the average of neighbours within 3 pt and joined when gaps are within 3 pt; edges
shorter than 3 pt dropped; intersections within 3 pt; the smallest rectangle at each
intersection whose four sides are ruled is a cell; cells sharing a corner form a table; tables
of one cell are dropped. The quadratic scans of pdfplumber are replaced by lookups that give the
same cells. Pure Python, no PDF library here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

SNAP_TOLERANCE = 3.0
JOIN_TOLERANCE = 3.0
EDGE_MIN_LENGTH = 3.0
EDGE_MIN_LENGTH_PREFILTER = 1.0
INTERSECTION_TOLERANCE = 3.0

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom


class Edge(NamedTuple):
    """A ruling segment; `vertical` ones are placed by x0, horizontal ones by top."""

    vertical: bool
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def length(self) -> float:
        return self.bottom - self.top if self.vertical else self.x1 - self.x0


def _snap(edges: list[Edge], vertical: bool) -> list[Edge]:
    """Edges within the tolerance of each other (chained) moved to their average position."""
    position = (lambda e: e.x0) if vertical else (lambda e: e.top)
    values = sorted({position(edge) for edge in edges})
    group_of: dict[float, int] = {}
    group = -1
    last: float | None = None
    for value in values:
        if last is None or value > last + SNAP_TOLERANCE:
            group += 1
        group_of[value] = group
        last = value
    members: dict[int, list[Edge]] = defaultdict(list)
    for edge in edges:
        members[group_of[position(edge)]].append(edge)
    snapped: list[Edge] = []
    for group_edges in members.values():
        average = sum(position(edge) for edge in group_edges) / len(group_edges)
        for edge in group_edges:
            shift = average - position(edge)
            if vertical:
                snapped.append(edge._replace(x0=edge.x0 + shift, x1=edge.x1 + shift))
            else:
                snapped.append(edge._replace(top=edge.top + shift, bottom=edge.bottom + shift))
    return snapped


def _join(edges: list[Edge], vertical: bool) -> list[Edge]:
    """Collinear edges (same snapped position) merged where they overlap or nearly touch."""
    by_line: dict[float, list[Edge]] = defaultdict(list)
    for edge in edges:
        by_line[edge.x0 if vertical else edge.top].append(edge)
    joined: list[Edge] = []
    for line in by_line.values():
        if vertical:
            line.sort(key=lambda e: e.top)
        else:
            line.sort(key=lambda e: e.x0)
        current = line[0]
        for edge in line[1:]:
            if vertical:
                if edge.top <= current.bottom + JOIN_TOLERANCE:
                    if edge.bottom > current.bottom:
                        current = current._replace(bottom=edge.bottom)
                    continue
            elif edge.x0 <= current.x1 + JOIN_TOLERANCE:
                if edge.x1 > current.x1:
                    current = current._replace(x1=edge.x1)
                continue
            joined.append(current)
            current = edge
        joined.append(current)
    return joined


def merged_edges(edges: list[Edge]) -> list[Edge]:
    """The page's edges snapped, joined and filtered by length, as the table finder uses them."""
    kept = [edge for edge in edges if edge.length >= EDGE_MIN_LENGTH_PREFILTER]
    result: list[Edge] = []
    for vertical in (True, False):
        oriented = [edge for edge in kept if edge.vertical is vertical]
        if oriented:
            result.extend(_join(_snap(oriented, vertical), vertical))
    return [edge for edge in result if edge.length >= EDGE_MIN_LENGTH]


def page_break_edges(edges: list[Edge]) -> list[Edge]:
    """Horizontal rules closing tables cut open by a page break.

    A browser prints a table running over pages without ruling its cut: the verticals stop at
    the page's clip with no horizontal line there, so the rows beside the cut have no cell and
    their text would be lost. Where two or more verticals end at the same height (within the
    snap tolerance), a horizontal rule crosses two of them elsewhere (they are a table's, not
    decorative lines), and no horizontal rule is at that height over their span, a rule from the
    first to the last of them is added. Both PDF readers add these to the page's edges.
    """
    return _page_break_rules(merged_edges(edges))


def _page_break_rules(merged: list[Edge]) -> list[Edge]:
    """`page_break_edges` from the page's edges already merged."""
    verticals = [edge for edge in merged if edge.vertical]
    horizontals = [edge for edge in merged if not edge.vertical]
    added: list[Edge] = []
    for end in (_top, _bottom):
        for group in _cluster_by(verticals, end):
            if len(group) < 2:
                continue
            level = sum(end(edge) for edge in group) / len(group)
            left = min(edge.x0 for edge in group)
            right = max(edge.x0 for edge in group)
            ruled = any(
                abs(h.top - level) <= SNAP_TOLERANCE and h.x0 < right and h.x1 > left
                for h in horizontals
            )
            if ruled or right - left < EDGE_MIN_LENGTH:
                continue
            tolerance = INTERSECTION_TOLERANCE
            crossed = any(
                sum(
                    1
                    for v in group
                    if h.x0 - tolerance <= v.x0 <= h.x1 + tolerance
                    and v.top - tolerance <= h.top <= v.bottom + tolerance
                )
                >= 2
                for h in horizontals
            )
            if crossed:
                added.append(Edge(False, left, level, right, level))
    return added


def _top(edge: Edge) -> float:
    return edge.top


def _bottom(edge: Edge) -> float:
    return edge.bottom


def _cluster_by(edges: list[Edge], position: Callable[[Edge], float]) -> list[list[Edge]]:
    """Edges grouped by `position`, values chained within the snap tolerance."""
    groups: list[list[Edge]] = []
    last: float | None = None
    for edge in sorted(edges, key=position):
        if last is None or position(edge) > last + SNAP_TOLERANCE:
            groups.append([])
        groups[-1].append(edge)
        last = position(edge)
    return groups


def _intersections(edges: list[Edge]) -> dict[Point, tuple[set[Box], set[Box]]]:
    """Each crossing point → (boxes of the vertical edges, boxes of the horizontal edges) there."""
    tolerance = INTERSECTION_TOLERANCE
    verticals = [edge for edge in edges if edge.vertical]
    horizontals = sorted((edge for edge in edges if not edge.vertical), key=lambda e: e.top)
    tops = [edge.top for edge in horizontals]
    crossings: dict[Point, tuple[set[Box], set[Box]]] = {}
    for v in verticals:
        # Only horizontals whose top lies within the vertical's span (plus tolerance) can cross it.
        start = bisect_right(tops, v.top - tolerance - 1e-9)
        for h in horizontals[start:]:
            if h.top > v.bottom + tolerance:
                break
            if v.top <= h.top + tolerance and h.x0 - tolerance <= v.x0 <= h.x1 + tolerance:
                vertex = (v.x0, h.top)
                if vertex not in crossings:
                    crossings[vertex] = (set(), set())
                crossings[vertex][0].add((v.x0, v.top, v.x1, v.bottom))
                crossings[vertex][1].add((h.x0, h.top, h.x1, h.bottom))
    return crossings


def _cells(crossings: dict[Point, tuple[set[Box], set[Box]]]) -> list[Box]:
    """At each crossing, the smallest rectangle ruled on all four sides (pdfplumber's order)."""
    below: dict[float, list[Point]] = defaultdict(list)  # same x, by ascending top
    right: dict[float, list[Point]] = defaultdict(list)  # same top, by ascending x
    for point in sorted(crossings):
        below[point[0]].append(point)
        right[point[1]].append(point)

    def vertical_link(p1: Point, p2: Point) -> bool:
        return not crossings[p1][0].isdisjoint(crossings[p2][0])

    def horizontal_link(p1: Point, p2: Point) -> bool:
        return not crossings[p1][1].isdisjoint(crossings[p2][1])

    cells: list[Box] = []
    for point in sorted(crossings):
        column, row = below[point[0]], right[point[1]]
        found = None
        for below_point in column[column.index(point) + 1 :]:
            if not vertical_link(point, below_point):
                continue
            for right_point in row[row.index(point) + 1 :]:
                if not horizontal_link(point, right_point):
                    continue
                corner = (right_point[0], below_point[1])
                if (
                    corner in crossings
                    and vertical_link(corner, right_point)
                    and horizontal_link(corner, below_point)
                ):
                    found = (point[0], point[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _tables(cells: list[Box]) -> list[list[Box]]:
    """Cells grouped by shared corners, tables ordered by their top-left cell, one-cell ones out."""
    by_corner: dict[Point, list[int]] = defaultdict(list)
    for index, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            by_corner[corner].append(index)
    seen: set[int] = set()
    tables: list[list[Box]] = []
    for first in range(len(cells)):
        if first in seen:
            continue
        seen.add(first)
        group, pending = [first], [first]
        while pending:
            x0, top, x1, bottom = cells[pending.pop()]
            for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
                for other in by_corner[corner]:
                    if other not in seen:
                        seen.add(other)
                        group.append(other)
                        pending.append(other)
        tables.append([cells[index] for index in sorted(group)])
    tables.sort(key=lambda table: min((cell[1], cell[0]) for cell in table))
    return [table for table in tables if len(table) > 1]


def find_tables(edges: list[Edge], close_page_breaks: bool = False) -> list[list[list[Box]]]:
    """Tables on a page from its raw edges: each table a list of rows, each row its cells'
    boxes left to right (cells of a row share their top, as in pdfplumber's `Table.rows`).
    With `close_page_breaks`, the edges plus their `page_break_edges`."""
    merged = merged_edges(edges)
    if close_page_breaks:
        added = _page_break_rules(merged)
        if added:  # merged again with the rules, as pdfplumber merges explicit lines
            merged = merged_edges(edges + added)
    if not merged:
        return []
    tables = []
    for table in _tables(_cells(_intersections(merged))):
        rows: dict[float, list[Box]] = defaultdict(list)
        # One cell per crossing point, so no two cells of a row share their x0.
        for cell in sorted(table, key=lambda c: (c[1], c[0])):
            rows[cell[1]].append(cell)
        tables.append(list(rows.values()))
    return tables
