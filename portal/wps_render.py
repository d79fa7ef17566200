"""A report as district governments publish it from WPS: a PDF with the quirks of real WPS exports.

Real WPS-made reports (the city report in `../shared/samples/` is one, `Creator: WPS …`) differ
from a clean PDF in ways that break a naive reader; `render_wps_pdf` draws each of them with
reportlab's canvas (built-in `STSong-Light` CID font, so no font file is needed), cell by cell:

- a page border frame on every page, split by the header rule: pdfplumber reports it as a
  one-column table of prose (the header, then the whole page) around the real tables;
- tables laid out row by row and broken wherever the page ends: a table runs over two or three
  pages, its header is not repeated, and one row may be cut by the break (its label's first line
  on one page, the rest of the label and the numbers on the next);
- long row labels wrap; the numbers sit vertically centred in the row, i.e. on the line between
  the label's lines, or at the top (beside the first line), or above the label;
- the row-group label 三、本年度办理结果 in a column one character wide, so it prints one
  character per line (三 / 、 / 本 / 年 / …), also across a page break;
- table 四's three header levels above one row of fifteen numbers;
- a few labels of table 三 with a typo (a dropped or two swapped characters);
- Kangxi radicals in place of ordinary ideographs (⽆ U+2F46 for 无, ⾏ U+2F8F for 行 …), as
  WPS's font subsets map them; PDFium reads them back as printed;
- on request, tables drawn without rules, so that only the page text holds them (the numbers
  of a wrapped row on the line between its label's lines, beside its first line, or above it);
- in some 2021 reports a hybrid table 三 whose （六）其他处理 is the 2019 form's single row
  (truth keys `apply.other.single.*`), and a total that contradicts its parts (truth as printed).

Which quirks a report gets is drawn from its index, so a rendering and its truth are reproducible.
`wps_truth` gives the truth of a rendering (what is printed, hybrid rows and altered totals included).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from typing import Any

from pipeline.extraction.keys import APPLY_COLUMNS, TEMPLATE_2021
from portal.content import ReportSpec, TruthReport
from portal.file_render import register_cid_font
from portal.tables import Cell, Table, grid, report_tables

_FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89
_FRAME = (40.0, 40.0, PAGE_WIDTH - 40.0, PAGE_HEIGHT - 40.0)  # x0, y0, x1, y1 (PDF coordinates)
_HEADER_RULE_Y = _FRAME[3] - 22.0
_CONTENT_X0, _CONTENT_X1 = 70.0, PAGE_WIDTH - 70.0
_CONTENT_TOP, _CONTENT_BOTTOM = _HEADER_RULE_Y - 14.0, _FRAME[1] + 24.0
_PAD = 2.5
_LOOKALIKES = {"无": "\u2f46", "行": "\u2f8f", "方": "\u2f45", "用": "\u2f64"}
_OTHER_2021_ROWS = ("no_correction", "no_fee", "other")


@dataclass(frozen=True)
class WpsStyle:
    """The quirks one report gets."""

    cell_size: float  # font size of table cells: larger ones make tables run over more pages
    numbers_at: str  # where a wrapped row's numbers sit: 'middle', 'top' or 'above'
    cut_rows: bool  # a row at a page break is cut (label on one page, numbers on the next)
    typos: int  # labels of table 三 printed with a typo
    lookalikes: bool  # Kangxi radicals for 无, 行, 方, 用
    hybrid: bool  # （六）其他处理 as the 2019 form's one row in a 2021 table
    wrong_total: bool  # （七）总计 one more than its parts
    # Tables drawn without rules, so only the page text holds them. Not in the default mix (the
    # real WPS reports seen are ruled): `render_wps_pdf(..., borderless=True)` asks for it.
    borderless: bool = False


def wps_style(index: int, spec: ReportSpec) -> WpsStyle:
    rng = random.Random(f"wps-{index}")
    return WpsStyle(
        cell_size=rng.choice((7.5, 8.5, 9.5, 10.5)),
        numbers_at=rng.choice(("middle", "middle", "top", "above")),
        cut_rows=rng.random() < 0.7,
        typos=rng.choice((0, 1, 2, 3)),
        lookalikes=rng.random() < 0.5,
        hybrid=spec.template == TEMPLATE_2021 and rng.random() < 0.3,
        wrong_total=rng.random() < 0.2,
    )


def wps_spec(index: int, spec: ReportSpec) -> ReportSpec:
    """`spec` with the numbers as the WPS rendering prints them (hybrid row, contradicting total)."""
    style = wps_style(index, spec)
    metrics = dict(spec.metrics)
    if style.hybrid:
        for column in APPLY_COLUMNS:
            parts = [metrics.pop(f"apply.other.{row}.{column}", None) for row in _OTHER_2021_ROWS]
            printed = [p for p in parts if p is not None]
            metrics[f"apply.other.single.{column}"] = sum(printed) if printed else None
    if style.wrong_total and metrics.get("apply.total.total") is not None:
        metrics["apply.total.total"] = (metrics["apply.total.total"] or 0) + 1
    return replace(spec, metrics=metrics)


def wps_truth(index: int, spec: ReportSpec) -> TruthReport:
    return wps_spec(index, spec).truth()


def _typo(text: str, rng: random.Random) -> str:
    """`text` with one character dropped or two neighbours swapped, past its numbering."""
    start = next((i + 1 for i, ch in enumerate(text) if ch in "．.、）"), 0)
    body = text[start:]
    if len(body) < 5:
        return text
    at = rng.randrange(1, len(body) - 2)
    if rng.random() < 0.5:
        body = body[:at] + body[at + 1 :]
    else:
        body = body[:at] + body[at + 1] + body[at] + body[at + 2 :]
    return text[:start] + body


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, _FONT, size)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """`text` broken into lines no wider than `width` (CJK wraps anywhere; at least one char)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and _width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


@dataclass
class _Line:
    text: str
    x: float
    top: float  # the line box's top in table coordinates (points down from the table's top)


class _Pages:
    """The canvas with its frame, header and page numbers, and a cursor moving down the page."""

    def __init__(self, canvas: Any, header: str) -> None:
        self.canvas = canvas
        self.header = header
        self.number = 0
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        c = self.canvas
        if self.number:
            c.showPage()
        self.number += 1
        x0, y0, x1, y1 = _FRAME
        c.setLineWidth(1.0)
        c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
        c.line(x0, _HEADER_RULE_Y, x1, _HEADER_RULE_Y)
        c.setLineWidth(0.5)
        c.setFont(_FONT, 9)
        c.drawString(x0 + 12, _HEADER_RULE_Y + 7, self.header)
        c.drawCentredString(PAGE_WIDTH / 2, y0 + 8, f"- {self.number} -")
        self.y = _CONTENT_TOP

    def text_lines(self, lines: list[str], size: float, leading: float, centred: bool) -> None:
        c = self.canvas
        for line in lines:
            if self.y - leading < _CONTENT_BOTTOM:
                self.new_page()
            self.y -= leading
            c.setFont(_FONT, size)
            if centred:
                c.drawCentredString(PAGE_WIDTH / 2, self.y + 0.25 * size, line)
            else:
                c.drawString(_CONTENT_X0, self.y + 0.25 * size, line)

    def paragraph(self, text: str, size: float = 10.5, leading: float = 16.0) -> None:
        lines = _wrap("\u3000\u3000" + text, _CONTENT_X1 - _CONTENT_X0, size)
        self.text_lines(lines, size, leading, centred=False)


def _column_widths(table: Table, size: float) -> list[float]:
    total = _CONTENT_X1 - _CONTENT_X0
    if table.columns == 10:  # table 三: group column one character wide, then the labels
        labels = [size + 2 * _PAD + 1, total * 0.12, total * 0.30]
        return [*labels, *([(total - sum(labels)) / 7] * 7)]
    if table.columns == 4:
        return [total * 0.31, *([total * 0.23] * 3)]
    return [total / table.columns] * table.columns


class _TableLayout:
    """One table laid out in table coordinates, then cut into slices, one per page."""

    def __init__(self, table: Table, style: WpsStyle) -> None:
        self.style = style
        self.size = style.cell_size
        self.leading = self.size * 1.25
        self.xs = [_CONTENT_X0]
        for width in _column_widths(table, self.size):
            self.xs.append(self.xs[-1] + width)
        self.slots = grid(table)
        self.wrapped: dict[tuple[int, int], list[str]] = {
            (r, c): _wrap(cell.text, self._inner(c, cell), self.size) if cell.text else []
            for r, row in enumerate(self.slots)
            for c, cell in enumerate(row)
            if cell is not None
        }
        self.has_numbers = [any(cell and not cell.label for cell in row) for row in self.slots]
        self.label_lines = [self._lines_in(r, labels_only=True) for r in range(len(self.slots))]
        self.heights = [self._need(self._lines_in(r)) for r in range(len(self.slots))]
        for r, lines in enumerate(self.label_lines):
            if style.numbers_at == "above" and self.has_numbers[r] and lines > 1:
                self.heights[r] = self._need(lines + 1)  # a line for the numbers above the label
        for (r, c), lines in self.wrapped.items():
            cell = self.slots[r][c]
            assert cell is not None
            if cell.rowspan > 1:
                deficit = self._need(len(lines)) - sum(self.heights[r : r + cell.rowspan])
                if deficit > 0:
                    self.heights[r + cell.rowspan - 1] += deficit
        self.slices: list[tuple[float, float]] = []  # (start, end) in table coordinates, per page
        self.cut_rows: set[int] = set()

    def _inner(self, column: int, cell: Cell) -> float:
        return self.xs[column + cell.colspan] - self.xs[column] - 2 * _PAD

    def _need(self, lines: int) -> float:
        return max(lines, 1) * self.leading + 2 * _PAD

    def _lines_in(self, r: int, labels_only: bool = False) -> int:
        counts = [
            len(self.wrapped[r, c])
            for c, cell in enumerate(self.slots[r])
            if cell is not None and cell.rowspan == 1 and (cell.label or not labels_only)
        ]
        return max(counts, default=1)

    def top(self, r: int) -> float:
        return sum(self.heights[:r])

    def paginate(self, first_room: float, page_room: float) -> None:
        """Slices of at most `first_room`, then `page_room` points: a page ends between rows,
        or (with `cut_rows`) inside a row after its label's first line."""
        start, room, top = 0.0, first_room, 0.0
        for r in range(len(self.slots)):
            bottom = top + self.heights[r]
            if bottom > start + room:
                cut = top + _PAD + self.leading + 1
                if (
                    self.style.cut_rows
                    and self.has_numbers[r]
                    and top > start
                    and cut <= start + room
                ):
                    # The label's first line stays here; the numbers go overleaf, a line lower.
                    self.heights[r] = max(
                        self.heights[r], self._need(self.label_lines[r]) + self.leading
                    )
                    bottom = top + self.heights[r]
                    self.cut_rows.add(r)
                    self.slices.append((start, cut))
                    start = cut
                elif top > start:
                    self.slices.append((start, top))
                    start = top
                room = page_room
            top = bottom
        self.slices.append((start, top))

    def _offset(self, r: int, cell: Cell, free: float) -> float:
        """How far below its cell's top padding a cell's first line sits (`free`: spare room)."""
        numbers_at = self.style.numbers_at
        if r in self.cut_rows:
            return 0.0 if cell.label else free
        if cell.label and numbers_at == "above" and self.has_numbers[r] and self.label_lines[r] > 1:
            return self.leading
        if cell.label or cell.rowspan > 1 or self.label_lines[r] == 1 or numbers_at == "middle":
            return free / 2
        return 0.0  # numbers beside the label's first line ('top'), or above it ('above')

    def lines(self) -> list[_Line]:
        """Every text line at its place; a line that a page break would cut goes overleaf, and
        the cell's later lines with it."""
        placed = []
        for (r, c), texts in self.wrapped.items():
            cell = self.slots[r][c]
            assert cell is not None
            height = sum(self.heights[r : r + cell.rowspan])
            offset = self._offset(r, cell, height - 2 * _PAD - len(texts) * self.leading)
            shift = 0.0
            for k, text in enumerate(texts):
                width, inner = _width(text, self.size), self._inner(c, cell)
                centred = not cell.label or width <= inner * 0.6
                x = self.xs[c] + _PAD + ((inner - width) / 2 if centred else 0.0)
                line_top = self.top(r) + _PAD + offset + k * self.leading + shift
                for slice_start, _end in self.slices[1:]:
                    if line_top < slice_start < line_top + self.leading - 0.5:
                        shift += slice_start + _PAD - line_top
                        line_top = slice_start + _PAD
                placed.append(_Line(text, x, line_top))
        return placed

    def draw(self, pages: _Pages) -> None:
        c = pages.canvas
        lines = self.lines()
        last = len(self.slices) - 1
        for page_index, (start, end) in enumerate(self.slices):
            if page_index:
                pages.new_page()
            page_top = pages.y
            for r, row in enumerate(self.slots):
                for col, cell in enumerate(row):
                    if cell is None:
                        continue
                    top = max(self.top(r), start)
                    bottom = min(self.top(r) + sum(self.heights[r : r + cell.rowspan]), end)
                    if bottom - top > 0.5 and not self.style.borderless:
                        # the cell's part on this page, borders drawn round it
                        x0, x1 = self.xs[col], self.xs[col + cell.colspan]
                        c.rect(x0, page_top - (bottom - start), x1 - x0, bottom - top, stroke=1)
            c.setFont(_FONT, self.size)
            descent = 0.85 * self.size + (self.leading - self.size) / 2
            for line in lines:
                if start <= line.top < end or (page_index == last and line.top >= end):
                    c.drawString(line.x, page_top - (line.top - start) - descent, line.text)
            pages.y = page_top - (end - start)
        pages.y -= 8


def _draw_table(pages: _Pages, table: Table, style: WpsStyle) -> None:
    layout = _TableLayout(table, style)
    page_room = _CONTENT_TOP - _CONTENT_BOTTOM
    if pages.y - _CONTENT_BOTTOM < layout.heights[0] + layout.leading:
        pages.new_page()  # not even the first row fits: the table starts overleaf
    layout.paginate(pages.y - _CONTENT_BOTTOM, page_room)
    layout.draw(pages)


def _typo_labels(tables: list[Table], count: int, rng: random.Random) -> dict[str, str]:
    """Labels of table 三's items → the misspelt text printed for `count` of them."""
    candidates = [
        cell.text
        for table in tables
        if table.columns == 10
        for row in table.rows
        for cell in row
        if cell.label and "．" in cell.text and len(cell.text) >= 8
    ]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    return {text: _typo(text, rng) for text in chosen}


def _restyled(table: Table, change: dict[str, str], lookalikes: bool) -> Table:
    def text(value: str) -> str:
        value = change.get(value, value)
        if lookalikes:
            value = "".join(_LOOKALIKES.get(ch, ch) for ch in value)
        return value

    rows = [
        [replace(cell, text=text(cell.text)) if cell.label else cell for cell in row]
        for row in table.rows
    ]
    return Table(text(table.heading), table.columns, rows)


def render_wps_pdf(index: int, spec: ReportSpec, borderless: bool = False) -> bytes:
    """The report as a WPS-made PDF; its truth is `wps_truth(index, spec)`. `borderless` draws
    its tables without rules."""
    from reportlab.pdfgen.canvas import Canvas

    register_cid_font()
    style = replace(wps_style(index, spec), borderless=borderless)
    printed = wps_spec(index, spec)
    rng = random.Random(f"wps-layout-{index}")

    def prose(text: str) -> str:
        if not style.lookalikes:
            return text
        return "".join(_LOOKALIKES.get(ch, ch) for ch in text)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    canvas.setTitle(spec.title)
    canvas.setAuthor(spec.agency)
    canvas.setCreator("WPS 文字")
    pages = _Pages(canvas, spec.agency)
    pages.text_lines(_wrap(spec.agency, 400, 18), 18, 28, centred=True)
    pages.text_lines(_wrap(f"{spec.year}年政府信息公开工作年度报告", 400, 18), 18, 28, centred=True)
    pages.y -= 10
    for line in spec.intro:
        pages.paragraph(prose(line))
    if printed.has_tables:
        tables = report_tables(
            printed.template, printed.cell_text, printed.omitted_rows, single_other=style.hybrid
        )
        typos = _typo_labels(tables, style.typos, rng)
        for table in tables:
            table = _restyled(table, typos, style.lookalikes)
            pages.text_lines([table.heading], 10.5, 18, centred=False)
            _draw_table(pages, table, style)
    for line in spec.outro:
        pages.paragraph(prose(line))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
