"""Read the statistical tables of an annual report (tables 二, 三, 四 of the official templates).

Input is every row of every table of a document in document order, as cell texts, from whatever
the document was (HTML, PDF, DOCX or flattened text). Spanned cells are not repeated, rows are
often misaligned, and the text renderings lose row boundaries altogether, so the reader does not
trust positions: it walks the cells in order, recognises row labels from the template vocabulary
(in template order), and takes a row's values to be the run of number-like cells that follows
its label. Table 四 has no row labels; its 15 values follow its last header cell. Positions
are used in one case only: a row of table 三 read from a PDF's text layer, where a blank cell
leaves no trace, that printed fewer numbers than columns takes the columns its numbers were
printed in (`_in_columns`), when the cells' places are known and say it clearly.

A row of the template (`keys.TEMPLATE_ROWS`) is *found* when its cells were read: for tables 二
and 三, its label was matched, in a table accepted as the template's (enough rows recognised), and
at least one cell followed it; for table 四, whose three rows (行政复议, 未经复议直接起诉,
复议后起诉) carry no labels, the header was found and the row's five cells were among the values
printed after it. What a found row prints does not matter: 0, a placeholder such as "—" or an
empty cell all count as read. The rows not found are `TablesResult.missing_rows`; their cells are
stored blank like a blank cell, so only `missing_rows` tells the two apart.

Nothing here corrects a number: what is stored is what was printed, with the printed text kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from pipeline.extraction import keys, labels
from pipeline.extraction.column_places import anchors_from_header, anchors_from_rows, columns_of
from pipeline.extraction.column_places import centre as column_centre
from pipeline.extraction.labels import RowLabel
from pipeline.extraction.report import Metric, Place
from pipeline.extraction.text_cells import text_to_rows
from pipeline.extraction.values import (
    CACHED_TEXT_CHARS,
    cache_short_text,
    is_blank,
    is_null_marker,
    parse_value,
    read_number,
    to_wan_yuan,
)

# How many rows ahead of the next expected one a label may be found (a row the agency dropped or
# renamed past recognition is skipped rather than derailing the rest of the table).
LOOKAHEAD = 4
# How far back from an amount row its column header (and unit) is looked for.
HEADER_REACH = 12
REVIEW_VALUE_COUNT = len(keys.REVIEW_KEYS)
# How far past 行政复议 the values of a table 四 with a broken-up header may be looked for (its
# header has about 25 cells).
REVIEW_HEADER_REACH = 60
# Fewer recognised rows than this is not the table but template words scattered in other text (a
# table of random cells, a prose list): reading it would store numbers that mean nothing.
MIN_ACTIVE_ROWS = 3
MIN_APPLY_ROWS = 6
# A row cut by a page break: at most this many pieces of label between its blank part and its
# numbers, and only rows of at least this many columns are recognised by a doubled run.
MAX_FRAGMENTS = 3
MIN_TAIL_COLUMNS = 3


@dataclass
class TablesResult:
    """What the reader found: the template, the metrics, which tables, and what went wrong."""

    template: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    tables_found: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    # Rows of the template (keys.TEMPLATE_ROWS) whose cells were not read, in template order.
    missing_rows: tuple[str, ...] = ()
    # Rows read with fewer cells than their columns (the rest stored blank): from a table without
    # rules, where blank cells leave no trace, their numbers' columns are unknown.
    short_rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class _RowRead:
    label_index: int  # position of the label in the cell stream
    cells: list[str]  # the run of cells after the label; once fitted, exactly len(columns)
    first: int  # position of cells[0] in the cell stream
    printed: int  # how many of `cells` were printed; the rest are blanks added by fitting

    def position(self, column: int) -> int | None:
        """Where the cell of `column` is in the cell stream; None for a blank added by fitting."""
        if self.positions is not None:
            return self.positions[column] if column < len(self.positions) else None
        return self.first + column if column < self.printed else None

    # A row cut by a page break: its numbers are the LAST cells of the run (the cells before
    # them are the row's blank part on the first page and its empty label cells overleaf).
    tail_aligned: bool = False
    # A row whose numbers were put in their columns by where they were printed (`_in_columns`):
    # each column's place in the cell stream, None for a blank.
    positions: tuple[int | None, ...] | None = None


@cache_short_text
def _is_value_cell(text: str) -> bool:
    return is_blank(text) or is_null_marker(text) or read_number(text) is not None


def _flatten(rows: Sequence[Sequence[str | None]]) -> list[str]:
    return [(cell or "").strip() for row in rows for cell in row]


def _flatten_places(
    rows: Sequence[Sequence[str | None]], places: Sequence[Sequence[Place | None]] | None
) -> list[Place | None] | None:
    """`places` in cell-stream order, or None unless they match `rows` cell for cell."""
    if places is None or len(places) != len(rows):
        return None
    if any(len(row) != len(row_places) for row, row_places in zip(rows, places, strict=True)):
        return None
    return [place for row_places in places for place in row_places]


class _Cells:
    """The cell stream with what the reader asks of each cell worked out once.

    Tables repeat their cell texts and the reader looks at most cells several times (three
    tables, the label lookahead), so each distinct text is classified once per stream.
    """

    def __init__(self, texts: list[str], places: list[Place | None] | None = None) -> None:
        self.texts = texts
        # Where each cell was printed (PDFs), aligned with `texts`; None when the reader can't say.
        self.places = places
        is_value_of: dict[str, bool] = {}
        core_of: dict[str, str] = {}
        for text in texts:
            if text not in is_value_of:
                is_value_of[text] = _is_value_cell(text)
                core_of[text] = labels.bare_core(text)
        self.is_value = [is_value_of[text] for text in texts]
        self.cores = [core_of[text] for text in texts]  # labels.bare_core of each cell
        # run_end[i]: the first index after i that holds a text cell (or the end of the stream).
        count = len(texts)
        run_end = [count] * count
        for index in range(count - 2, -1, -1):
            run_end[index] = run_end[index + 1] if self.is_value[index + 1] else index + 1
        self.run_end = run_end

    def __len__(self) -> int:
        return len(self.texts)

    def run_after(self, index: int) -> list[str]:
        """The number-like cells right after `index`, up to the next text cell."""
        return self.texts[index + 1 : self.run_end[index]]

    def placed(self, metric: Metric, position: int | None) -> Metric:
        """`metric` with the page and box of the cell at `position`, when they are known."""
        if self.places is None or position is None:
            return metric
        return metric.at(self.places[position])


def _fit(row: _RowRead, width: int, what: str, problems: list[str]) -> _RowRead:
    """`row` with its run cut to `width` cells: surplus blanks at the edges go first
    (misaligned rows), missing cells are added blank."""
    cells = list(row.cells)
    first = row.first
    while len(cells) > width and is_blank(cells[-1]):
        cells.pop()
    while len(cells) > width and is_blank(cells[0]):
        cells.pop(0)
        first += 1
    printed = min(len(cells), width)
    if len(cells) > width:
        problems.append(f"{what}: {len(cells)} cells for {width} columns, extra ones ignored")
        cells = cells[:width]
    elif len(cells) < width:
        problems.append(f"{what}: {len(cells)} cells for {width} columns, the rest left blank")
        cells += [""] * (width - len(cells))
    return _RowRead(row.label_index, cells, first, printed, positions=row.positions)


def _label_match(cells: _Cells, index: int, spec: RowLabel, is_next: bool) -> bool:
    if cells.run_end[index] == index + 1:
        return False  # a heading in prose, or a group label: a row label is followed by its cells
    if not spec.matches_core(cells.cores[index]):
        return False
    if spec.ambiguous:
        # '总计' and '其他' are column headers too: a numbered label ('（七）总计') is the row, even
        # after a row the agency left out; an unnumbered one only when it is the next row expected
        # and a printed number follows it.
        if labels.numbering(cells.texts[index]):
            return True
        return is_next and any(not is_blank(c) for c in cells.run_after(index))
    return True


def _find_labelled(
    cells: _Cells,
    start: int,
    specs: Sequence[RowLabel],
    stop: Callable[[str], bool] = lambda _text: False,
) -> tuple[dict[str, _RowRead], int]:
    """Rows of one labelled table found from `start` (cells as printed, not yet fitted to the
    columns), and the stream position after the last row found (`start` when none was).

    A label is found by its words (`_label_match`); failing that, as a label cut in two
    (`_split_label`: a row cut by a page break, or a long label wrapped around its numbers);
    failing that, as the next row expected printed with a typo (`_near_label`): the rows come
    in the template's order, so a cell at the next row's place that is nearly its label is it.
    """
    found: dict[str, _RowRead] = {}
    next_row = 0
    index = start
    end = start
    texts, is_value = cells.texts, cells.is_value
    while index < len(texts) and next_row < len(specs):
        if is_value[index]:
            index += 1
            continue
        if found and stop(texts[index]):
            break
        matched = None
        for position in range(next_row, min(next_row + LOOKAHEAD, len(specs))):
            if _label_match(cells, index, specs[position], position == next_row):
                matched = position
                break
        run = cells.run_after(index)
        first = index + 1
        resume = first + len(run)
        if matched is None:
            split = _split_label(cells, index, specs, next_row)
            if split is not None:
                matched, first, resume = split
                run = cells.texts[first : cells.run_end[first - 1]]
            else:
                matched = _near_position(cells, index, specs, next_row)
        if matched is None:
            index += 1
            continue
        spec = specs[matched]
        later = specs[matched + 1 : matched + 1 + LOOKAHEAD]
        run, first, resume, tail_aligned = _continued(
            cells, run, first, resume, len(spec.columns), later
        )
        if not run:  # a label's first line whose numbers were not found after it: not the row
            index += 1
            continue
        found[spec.key] = _RowRead(index, run, first, len(run), tail_aligned)
        next_row = matched + 1
        index = end = resume
    return found, end


# How many text cells after a label's first part its other parts may come (group labels, cut by
# the same page break or wrapped beside it, print between them).
SPLIT_REACH = 4


def _split_label(
    cells: _Cells, index: int, specs: Sequence[RowLabel], next_row: int
) -> tuple[int, int, int] | None:
    """(row position, where its run starts, where to resume) when the cell at `index` is the
    first part of a label whose other parts are among the next text cells, else None.

    A row cut by a page break prints its label's first part on one page and the rest on the
    next, its numbers after either part; a long label wraps around its numbers, and the group
    label beside it may wrap between its parts. The parts are the next text cells that extend
    the label word by word (others are skipped); the row's run is the first of the parts' runs
    that prints something, else the first run of a skipped cell between them that does (the
    numbers beside a line of the group label), else the first of the parts' runs with cells.
    """
    head = cells.cores[index]
    if not head:
        return None
    following = _following_texts(cells, index, SPLIT_REACH)
    for position in range(next_row, min(next_row + LOOKAHEAD, len(specs))):
        spec = specs[position]
        # An optional row's short word (其他处理) would match a group label run into the
        # next row's label ('其他处理' + '总计'): it is only ever read whole.
        if spec.ambiguous or spec.optional:
            continue
        parts = _label_parts(cells, index, following, spec)
        if parts is None:
            continue
        runs = [(part + 1, cells.run_after(part)) for part in (index, *parts)]
        # Failing the parts, a piece of the group label wrapped between them: the numbers are
        # centred in the row, beside whichever line of the row's cells is in the middle.
        between = [
            (cell + 1, cells.run_after(cell))
            for cell in following
            if cell < parts[-1] and cell not in parts
        ]
        printing = [run for run in (*runs, *between) if any(not is_blank(cell) for cell in run[1])]
        chosen = printing or [run for run in runs if run[1]]
        if not chosen:
            return None
        return position, chosen[0][0], cells.run_end[parts[-1]]
    return None


def _following_texts(cells: _Cells, index: int, count: int) -> list[int]:
    """Positions of the next `count` text cells after `index` (skipping runs of values)."""
    found: list[int] = []
    position = cells.run_end[index]
    while position < len(cells) and len(found) < count:
        found.append(position)
        position = cells.run_end[position]
    return found


def _label_parts(
    cells: _Cells, index: int, following: list[int], spec: RowLabel
) -> list[int] | None:
    """The cells of `following` that, after the cell at `index`, spell one of `spec`'s words;
    None when none do. A cell that names the row on its own is the row's label, not a part of it."""
    head = cells.cores[index]
    for word in spec.words:
        if len(word) <= len(head) or not word.startswith(head):
            continue
        joined, parts = head, list[int]()
        for position in following:
            core = cells.cores[position]
            if not core or spec.matches_core(core) or not word.startswith(joined + core):
                continue
            joined, parts = joined + core, [*parts, position]
            if joined == word:
                return parts
    # Two parts making the label with a little more (a unit, a note): matched as a whole cell is.
    for position in following[:2]:
        tail = cells.cores[position]
        # The parts' texts joined, then stripped: a note wrapped across the two parts
        # (（区分处理的，只计这一情 / 形，不计其他情形）, the 淮安市 2024 report's text) is dropped whole.
        joined = labels.bare_core(cells.texts[index] + cells.texts[position])
        if tail and not spec.matches_core(tail) and spec.matches_core(joined):
            return [position]
    return None


def _near_position(
    cells: _Cells, index: int, specs: Sequence[RowLabel], next_row: int
) -> int | None:
    """The next row expected (or the one after it, when the expected one is optional and may
    not be printed) if the cell at `index` names it but for a typo (`_near_label`)."""
    for position in range(next_row, min(next_row + 2, len(specs))):
        if _near_label(cells, index, specs[position]):
            return position
        if not specs[position].optional:
            break
    return None


def _near_label(cells: _Cells, index: int, spec: RowLabel) -> bool:
    """Whether the cell at `index`, followed by cells, names `spec` but for a typo: a dropped,
    added, swapped or wrong character or two, or the label's end cut off. A label's first line
    followed by no cells may be it too when a text cell just after it prints numbers: the
    label wrapped, its numbers beside a later line (`_continued` takes them from there)."""
    if spec.ambiguous:
        return False
    if cells.run_end[index] == index + 1 and not _rest_prints(cells, index):
        return False
    cell_core = cells.cores[index]
    return any(labels.nearly(cell_core, word) for word in spec.words)


def _rest_prints(cells: _Cells, index: int) -> bool:
    """Whether one of the few unnumbered text cells after the cell at `index` (the rest of a
    wrapped label, pieces of its group label) is followed by printed numbers."""
    for position in _following_texts(cells, index, MAX_FRAGMENTS):
        if labels.numbering(cells.texts[position]):
            return False
        if any(not is_blank(cell) for cell in cells.run_after(position)):
            return True
    return False


def _continued(
    cells: _Cells, run: list[str], first: int, resume: int, width: int, later: Sequence[RowLabel]
) -> tuple[list[str], int, int, bool]:
    """(run, where it starts, where to resume, whether the row's numbers are the run's LAST
    cells) for a row whose label was read with `run` starting at `first`.

    A row cut by a page break can print its whole label with blank cells at the foot of one
    page and its numbers at the top of the next, after the cut pieces of its group label and
    its empty label cells. Its numbers are taken from there: after a blank run, up to
    `MAX_FRAGMENTS` text cells that are no label (`later` rows) and carry no numbering (unless
    they are a group label) are pieces of the cut row, and the first run after them holding a
    printed value is its numbers. With no text between the two pieces, the run is the blank part
    (one row's width) followed by the continuation, whose last cells are the numbers.
    """
    if not all(is_blank(cell) for cell in run):
        doubled = width >= MIN_TAIL_COLUMNS and len(run) >= 2 * width
        return run, first, resume, doubled and all(is_blank(cell) for cell in run[:width])
    fragment = resume
    for _ in range(MAX_FRAGMENTS):
        if fragment >= len(cells) or cells.is_value[fragment]:
            break
        core = cells.cores[fragment]
        numbered_row = labels.numbering(cells.texts[fragment]) and not labels.is_group_label(core)
        if numbered_row or any(spec.matches_core(core) for spec in later):
            break
        continuation = cells.run_after(fragment)
        if any(not is_blank(cell) for cell in continuation):
            return continuation, fragment + 1, fragment + 1 + len(continuation), True
        fragment += 1 + len(continuation)
    return run, first, resume, False


def _fitted(
    found: dict[str, _RowRead],
    specs: Sequence[RowLabel],
    columns_of: Callable[[RowLabel], tuple[str, ...]],
    table: str,
    problems: list[str],
) -> dict[str, _RowRead]:
    """`found` rows with their cells fitted to their columns, problems noted in reading order."""
    spec_of = {spec.key: spec for spec in specs}
    fitted: dict[str, _RowRead] = {}
    for key, row in found.items():
        columns = columns_of(spec_of[key])
        if row.tail_aligned and len(row.cells) > len(columns):
            cut = len(row.cells) - len(columns)
            row = _RowRead(row.label_index, row.cells[cut:], row.first + cut, len(columns))
        fitted[key] = _fit(row, len(columns), f"{table}.{key}", problems)
    return fitted


def _in_columns(
    cells: _Cells,
    found: dict[str, _RowRead],
    columns: tuple[str, ...],
    header: range,
) -> dict[str, _RowRead]:
    """`found` rows of table 三 with each row that printed fewer numbers than `columns` put in
    its columns by where its numbers were printed (`pipeline.extraction.column_places`), blanks left
    blank; a row whose numbers are not clearly in their columns, or any row when where the
    cells were printed is unknown, as it was. `header` is where the table's header cells are."""
    places = cells.places
    width = len(columns)
    short = [key for key, row in found.items() if len(row.cells) < width]
    if places is None or not short:
        return found

    def centres(row: _RowRead) -> list[float] | None:
        """The x centres of the row's cells, None when one's place is unknown."""
        printed = [places[row.first + k] for k in range(len(row.cells))]
        known = [column_centre(place) for place in printed if place is not None]
        return known if len(known) == len(printed) else None

    full = [c for row in found.values() if len(row.cells) == width and (c := centres(row))]
    anchors = anchors_from_rows(full, width)
    if anchors is None:
        header_words = [
            (cells.cores[index], column_centre(place))
            for index in header
            if (place := places[index]) is not None and not cells.is_value[index]
        ]
        names = [labels.APPLY_COLUMN_HEADERS[column] for column in columns]
        anchors = anchors_from_header(header_words, names)
    if anchors is None:
        return found
    spread = dict(found)
    for key in short:
        row = found[key]
        row_centres = centres(row)
        at = columns_of(row_centres, anchors) if row_centres is not None else None
        if at is None:
            continue
        by_column = dict(zip(at, range(len(row.cells)), strict=True))
        spread[key] = _RowRead(
            row.label_index,
            [row.cells[by_column[j]] if j in by_column else "" for j in range(width)],
            row.first,
            width,
            positions=tuple(
                row.first + by_column[j] if j in by_column else None for j in range(width)
            ),
        )
    return spread


def _amount_header_unit(stream: list[str], label_index: int) -> str | None:
    """The unit printed in the header of the money column above the row at `label_index`."""
    for text in reversed(stream[max(0, label_index - HEADER_REACH) : label_index]):
        if labels.is_amount_header(text):
            return labels.unit_in_header(text)
    return None


# The same few printed values ("0", "", "—") fill most cells.
_printed_value = cache_short_text(parse_value)


# Metrics are immutable and most (key, printed text) pairs recur from report to report.
_METRICS: dict[tuple[str, str], Metric] = {}
_MAX_METRICS = 1 << 16


def _metric(key: str, raw: str, header_unit: str | None = None) -> Metric:
    if key in labels.AMOUNT_KEYS:
        number = read_number(raw)
        value = None if number is None else to_wan_yuan(number, header_unit)
        return Metric(key, value, raw)
    metric = _METRICS.get((key, raw))
    if metric is None:
        metric = Metric(key, _printed_value(raw), raw)
        if len(raw) <= CACHED_TEXT_CHARS:
            if len(_METRICS) >= _MAX_METRICS:
                _METRICS.clear()
            _METRICS[key, raw] = metric
    return metric


@cache
def _metric_keys(table: str, stem: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{table}.{stem}.{column}" for column in columns)


def _apply_columns(stream: list[str], start: int, first_row: int) -> tuple[str, ...]:
    """Table 三's columns, with 法人小计 placed where its header shows it."""
    header = [labels.bare_core(text) for text in stream[start:first_row]]
    subtotal_at = next((i for i, h in enumerate(header) if h in labels.SUBTOTAL_HEADERS), None)
    if subtotal_at is None:
        return keys.APPLY_COLUMNS
    orgs_at = [i for i, h in enumerate(header) if h in labels.APPLY_ORG_HEADERS[:1]]
    natural, *orgs, total = keys.APPLY_COLUMNS
    if orgs_at and subtotal_at < orgs_at[-1]:
        return (natural, keys.APPLY_SUBTOTAL_COLUMN, *orgs, total)
    return (natural, *orgs, keys.APPLY_SUBTOTAL_COLUMN, total)


def _review_header_start(cells: _Cells, start: int) -> int | None:
    for index in range(start, len(cells)):
        if cells.cores[index] in ("行政复议", "结果维持"):
            return index
    return None


def _spread_header_values(cells: _Cells, header_start: int) -> tuple[int, list[str]] | None:
    """(the cell before the values, the values) of a table 四 whose three header levels were
    broken into pieces (a table without rules read from its text: 结果 / 维持 on separate lines):
    the first run of at least fifteen number-like cells within `REVIEW_HEADER_REACH` cells of the
    header's start, holding a printed value."""
    index = header_start
    limit = min(len(cells), header_start + REVIEW_HEADER_REACH)
    while index < limit:
        run = cells.run_after(index)
        if len(run) >= REVIEW_VALUE_COUNT and any(not is_blank(cell) for cell in run):
            return index, run
        index = cells.run_end[index]
    return None


def _read_review(cells: _Cells, start: int, problems: list[str]) -> _RowRead | None:
    """The 15 cells of table 四 as one row (`printed` says how many were printed), or None when
    the table is not there."""
    header_start = _review_header_start(cells, start)
    if header_start is None:
        return None
    last_header = None
    for index in range(header_start, len(cells)):
        if cells.cores[index] in labels.REVIEW_HEADER_WORDS:
            last_header = index
        elif not cells.is_value[index]:
            break
    if last_header is None:
        return None
    run = cells.run_after(last_header)
    if not any(not is_blank(cell) for cell in run) and len(run) < REVIEW_VALUE_COUNT:
        spread = _spread_header_values(cells, header_start)
        if spread is None:
            problems.append("review: header found but no values after it")
            return None
        last_header, run = spread
    row = _RowRead(last_header, run, last_header + 1, len(run))
    return _fit(row, REVIEW_VALUE_COUNT, "review", problems)


def detect_template(stream: list[str], year: int | None) -> str:
    """The template the table labels show; `year` only breaks a tie."""
    votes_2019 = votes_2021 = 0
    # Each distinct text votes once per time it is printed.
    for text, count in Counter(stream).items():
        vote_2019, vote_2021 = labels.template_votes(text)
        votes_2019 += vote_2019 * count
        votes_2021 += vote_2021 * count
    if votes_2019 > votes_2021:
        return keys.TEMPLATE_2019
    if votes_2021 > votes_2019:
        return keys.TEMPLATE_2021
    if year is not None and keys.template_for_year(year) in (
        keys.TEMPLATE_2019,
        keys.TEMPLATE_2021,
    ):
        return keys.template_for_year(year)
    return keys.TEMPLATE_UNKNOWN


def _starts_apply(text: str) -> bool:
    core = labels.bare_core(text)
    return core == "申请人情况" or core.startswith(("本年新收", "上年结转"))


def _read_with(cells: _Cells, template: str) -> TablesResult:
    result = TablesResult(template=template)
    problems = result.problems
    metrics = result.metrics
    tables: list[str] = []
    stream = cells.texts

    active_specs = labels.ACTIVE_ROWS[template]
    active_problems: list[str] = []
    active_found, active_end = _find_labelled(cells, 0, active_specs, stop=_starts_apply)
    active = _fitted(active_found, active_specs, lambda s: s.columns, "active", active_problems)
    if active and len(active) < MIN_ACTIVE_ROWS:
        problems.append(f"active: only {len(active)} rows recognised, not read as table 二")
        active = {}
    else:
        problems += active_problems
    if active:
        tables.append("active")
        for spec in active_specs:
            row = active.get(spec.key)
            if row is None:
                problems.append(f"active: row {spec.key} not found")
            row_keys = _metric_keys("active", spec.key, spec.columns)
            # Only money columns use the unit of their header.
            unit = (
                _amount_header_unit(stream, row.label_index)
                if row and not labels.AMOUNT_KEYS.isdisjoint(row_keys)
                else None
            )
            for position, key in enumerate(row_keys):
                if row is None:
                    metrics[key] = _metric(key, "", unit)
                    continue
                metric = _metric(key, row.cells[position], unit)
                metrics[key] = cells.placed(metric, row.position(position))
    else:
        active_end = 0

    apply_specs = labels.APPLY_ROWS[template]
    apply_columns = keys.APPLY_COLUMNS
    # Where the rows are found does not depend on the columns; the header above them decides those.
    apply_found, apply_end = _find_labelled(cells, active_end, apply_specs)
    if apply_found:
        first_row = min(row.label_index for row in apply_found.values())
        apply_columns = _apply_columns(stream, active_end, first_row)
        apply_found = _in_columns(cells, apply_found, apply_columns, range(active_end, first_row))
    apply_problems: list[str] = []
    apply = _fitted(apply_found, apply_specs, lambda _s: apply_columns, "apply", apply_problems)
    if apply and len(apply) < MIN_APPLY_ROWS:
        problems.append(f"apply: only {len(apply)} rows recognised, not read as table 三")
        apply = {}
    else:
        problems += apply_problems
    if apply:
        tables.append("apply")
        for spec in apply_specs:
            row = apply.get(spec.key)
            if row is None and spec.optional:
                continue
            if spec.optional:
                problems.append(
                    f"apply: （六）其他处理 printed as one row (the 2019 form), kept as "
                    f"apply.{spec.key}"
                )
            if row is None:
                problems.append(f"apply: row {spec.key} not found")
            for position, key in enumerate(_metric_keys("apply", spec.key, apply_columns)):
                if row is None:
                    metrics[key] = _metric(key, "")
                    continue
                metric = _metric(key, row.cells[position])
                metrics[key] = cells.placed(metric, row.position(position))
    else:
        apply_end = active_end

    review = _read_review(cells, apply_end, problems)
    review_rows: list[str] = []
    if review is not None:
        tables.append("review")
        for position, (key, raw) in enumerate(zip(keys.REVIEW_KEYS, review.cells, strict=True)):
            metrics[key] = cells.placed(_metric(key, raw), review.position(position))
        # A row of table 四 is its group's five cells, printed in group order.
        printed = review.printed
        review_rows = list(keys.REVIEW_GROUPS[: printed // len(keys.REVIEW_OUTCOMES)])
    spec_of = {spec.key: spec for spec in active_specs}
    result.short_rows = (
        *(
            f"active.{key}"
            for key, row in active.items()
            if row.printed < len(spec_of[key].columns)
        ),
        *(f"apply.{key}" for key, row in apply.items() if row.printed < len(apply_columns)),
    )
    result.tables_found = tuple(tables)
    found_rows = {
        *(f"active.{key}" for key in active),
        *(f"apply.{key}" for key in apply),
        *review_rows,
    }
    result.missing_rows = tuple(
        row for row in keys.TEMPLATE_ROWS[template] if row not in found_rows
    )
    return result


def read_tables(
    rows: list[list[str]],
    year: int | None = None,
    places: Sequence[Sequence[Place | None]] | None = None,
) -> TablesResult:
    """Metrics of the template tables found in `rows` (all table rows of a document, in order).

    `places`, when the reader knows them (PDFs), are where each cell of `rows` was printed, row
    for row and cell for cell; the metrics read from those cells carry their page and box."""
    stream = _flatten(rows)
    cells = _Cells(stream, _flatten_places(rows, places))
    template = detect_template(stream, year)
    if template == keys.TEMPLATE_UNKNOWN:
        # No label says which template: read both and keep whichever finds more.
        candidates = [_read_with(cells, t) for t in (keys.TEMPLATE_2019, keys.TEMPLATE_2021)]
        best = max(candidates, key=lambda r: len([m for m in r.metrics.values() if m.raw]))
        if best.tables_found:
            best.problems.insert(0, "template not stated by the labels; chosen by what was read")
            return best
        return TablesResult(
            template=keys.TEMPLATE_UNKNOWN, problems=["no statistical table of a known template"]
        )
    result = _read_with(cells, template)
    if not result.tables_found:
        result.template = keys.TEMPLATE_UNKNOWN
        result.problems.append("no statistical table of a known template")
    return result


def read_text_tables(text: str, year: int | None = None) -> TablesResult:
    """`read_tables` on the rows recovered from a plain-text rendering of a report."""
    return read_tables(text_to_rows(text), year)
