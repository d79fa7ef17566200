"""Table rows recovered from a PDF's text layer when its tables have no ruling lines.

A table drawn without rules (borders set to none, or lost in conversion) reaches the reader only
as page text, one printed line per line, cells separated by spaces: `规章 1 0 11`. The line
grouping of a PDF's text puts the numbers of a row wherever they sit vertically, so a wrapped
label comes out as its first line, a line of numbers, its second line (numbers centred in the
row), or the numbers first; a group label set one character per line interleaves its characters
with the rows (`本`, `年`, `本 2.其他法律行政法规禁止公开 30 1 0 0 0 0 31`).

`layout_rows` makes rows of cells from such text: each line's whitespace-separated tokens are its
cells, and a line of numbers alone joins the line it belongs to — the text line before it when that
line has no numbers of its own (the numbers sat between a label's lines, or beside its end), else
the text line after it (the numbers were printed above their label). Numbers printed above their
label after a wrapped row end up after that row's last line, which has no numbers either: when
that row has its numbers already and a numbered label follows, they are the label's. Lines of one
character alone (a vertical group label's) are passed over: numbers never join them. The table reader then finds
labels and their runs of numbers as in any other rows; the characters of a vertical group label
are text cells it passes over.

`layout_cells` does the same with each word's place (a PDF reader's `lines`), and gives each
cell's place with it: the table reader then knows where each number was printed, so a row that
prints fewer numbers than its table has columns (text keeps no trace of a blank cell) can be
read by the columns its numbers stand in (`pipeline.extraction.column_places`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from pipeline.extraction.attachments.base import PrintedWord
from pipeline.extraction.attachments.pdf_words import unplaced_words
from pipeline.extraction.labels import numbering
from pipeline.extraction.report import Place
from pipeline.extraction.values import is_null_marker, read_number

# A line without numbers printed this often is a page's running header, not a table's text.
RUNNING_HEADER_REPEATS = 3
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)

Line = list[PrintedWord]


def _is_value_token(token: str) -> bool:
    return is_null_marker(token) or read_number(token) is not None


def _is_value(word: PrintedWord) -> bool:
    return _is_value_token(word[0])


def _split_line(line: Line) -> tuple[Line, Line]:
    """(text cells, value cells) of one printed line: its trailing run of number-like words
    are the values."""
    end = len(line)
    while end > 0 and _is_value(line[end - 1]):
        end -= 1
    return line[:end], line[end:]


def _running_header(text: str, line: Line, seen: Counter[str]) -> bool:
    """A line printed at the top of every page (the agency's name in the header): printed
    three times or more, with no number in it."""
    return seen[text] >= RUNNING_HEADER_REPEATS and not _split_line(line)[1]


def _vertical_character(texts: Line) -> bool:
    """Whether a line is one character alone: a group label set one character per line."""
    return len(texts) == 1 and len(texts[0][0]) == 1


def _numbered(texts: Line) -> bool:
    return any(numbering(text) for text, _place in texts)


def _tail_then_label(rows: list[Line], next_texts: Line, next_has_values: bool) -> bool:
    """Whether a line of numbers after the rows so far belongs to the next line rather than the
    last row: that row is the last line of a wrapped label whose row already has its numbers
    (unnumbered lines back to a row with numbers), and the next line starts a new numbered label
    with none of its own. The numbers were printed above their label, after the wrapped row."""
    if not next_texts or next_has_values or not _numbered(next_texts):
        return False
    for row in reversed(rows):
        if _is_value(row[-1]):
            return True
        if _numbered(row):
            return False
    return False


def layout_rows(text: str) -> list[list[str]]:
    """Rows of cells from text laid out by a PDF text layer, in reading order; page numbers
    (`- 1 -`, `第 1 页`, `1/6`), whose digits would join a row cut by the page break, are left out."""
    rows, _places = layout_cells(unplaced_words(text))
    return rows


def layout_cells(
    lines: Sequence[Sequence[PrintedWord]],
) -> tuple[list[list[str]], list[list[Place | None]]]:
    """`layout_rows` of a text layer given line by line, each word with its place: the rows,
    and where each of their cells was printed (row for row, cell for cell)."""
    printed = [list(line) for line in lines if line]
    joined = [" ".join(text for text, _place in line) for line in printed]
    seen = Counter(joined)
    split = [
        _split_line(line)
        for line, text in zip(printed, joined, strict=True)
        if not _PAGE_NUMBER_RE.match(text) and not _running_header(text, line, seen)
    ]
    rows: list[Line] = []
    pending: Line = []  # numbers printed above the label they belong to
    for index, (texts, values) in enumerate(split):
        if texts and not _vertical_character(texts):
            rows.append([*texts, *pending, *values])
            pending = []
            continue
        if texts:
            # A character of a group label set vertically: numbers beside it are not its own.
            rows.append(texts)
            if not values:
                continue
        previous = next((row for row in reversed(rows) if not _vertical_character(row)), None)
        previous_has_values = previous is not None and _is_value(previous[-1])
        following = next(
            (line for line in split[index + 1 :] if not _vertical_character(line[0])), ([], [])
        )
        next_texts, next_has_values = following[0], bool(following[1])
        if previous is not None and (not previous_has_values or not next_texts or next_has_values):
            if not previous_has_values and _tail_then_label(rows, next_texts, next_has_values):
                pending.extend(values)
            else:
                previous.extend(values)
        else:
            pending.extend(values)
    if pending:
        rows.append(pending)
    return (
        [[text for text, _place in row] for row in rows],
        [[place for _text, place in row] for row in rows],
    )
