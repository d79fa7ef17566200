"""Recover table rows from the plain-text renderings that real report pages flatten into.

Pages copied to text lose their <table> markup in a few recurring ways (see portal/seeds/*.txt):

* tab-separated rows, one table row per line (seeds 000, 001);
* one cell per line, each line starting with a tab, rows separated by blank lines (seed 002);
* one cell per line ending in ' |', with runs of bare '|' standing for empty cells (seed 003);
  row boundaries are lost entirely, so a run of such lines becomes one long row.

A PDF's text layer copied out (a row's label and its numbers on one line, separated by spaces,
as in the 淮安市 2024 report) is read by `layout_rows`, which also knows which rows printed too few
numbers to be placed.

Everything else (narrative prose, headings) becomes a single-cell row. Empty cells stay as ""
because the table reader relies on positions.
"""

from __future__ import annotations

import re

_ONLY_PIPES_RE = re.compile(r"^\|+$")
_MARKDOWN_RULE_RE = re.compile(r"^\|?\s*:?-{3,}")
# A spaced line ending in numbers: its label (no sentence punctuation: prose stays one cell) and
# the numbers. A number may carry a decimal part (96171.6) or thousands commas.
_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?"
_LABEL_AND_NUMBERS_RE = re.compile(
    rf"^(?:([^。；;！？]*?[^\s\d])\s+)?({_NUMBER}(?:\s+{_NUMBER})*)$"
)
_SPACES_RE = re.compile(r"\s+")
# Longest label read as a row's: longer lines ending in a number are prose.
_MAX_LABEL_CHARS = 60


def _is_single_tab_cell(line: str) -> bool:
    # '\tcell' with no further tab: one cell of a one-cell-per-line rendering.
    return line.startswith("\t") and "\t" not in line[1:]


def _pipe_cells(line: str) -> list[str] | None:
    """Cells of a pipe-rendered line, or None when the line is not one."""
    stripped = line.strip()
    if not stripped or "|" not in stripped:
        return None
    if _ONLY_PIPES_RE.match(stripped):
        return [""] * len(stripped)
    if stripped.endswith("|"):
        return [cell.strip() for cell in stripped[:-1].split("|")]
    return None


def text_to_rows(text: str) -> list[list[str]]:
    """Rows of cells recovered from `text`, in document order; narrative lines are one-cell rows."""
    rows: list[list[str]] = []
    open_row: list[str] | None = None  # a one-per-line row still collecting cells
    open_kind = ""

    def close() -> None:
        nonlocal open_row, open_kind
        if open_row is not None:
            rows.append(open_row)
        open_row, open_kind = None, ""

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip() and not _is_single_tab_cell(line):
            # A blank line ends a one-per-line row; in a pipe run it carries no cell.
            if open_kind == "tab":
                close()
            continue
        if _is_single_tab_cell(line):
            if open_kind != "tab":
                close()
                open_row, open_kind = [], "tab"
            assert open_row is not None
            open_row.append(line[1:].strip())
            continue
        if "\t" in line:
            close()
            rows.append([cell.strip() for cell in line.split("\t")])
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and stripped.strip("|").strip():
            # A markdown-style row '| a | b |' is a whole row; its '|---|' rule carries no cells.
            close()
            if not _MARKDOWN_RULE_RE.match(stripped):
                rows.append([cell.strip() for cell in stripped[1:-1].split("|")])
            continue
        pipe_cells = _pipe_cells(line)
        if pipe_cells is not None:
            if open_kind != "pipe":
                close()
                open_row, open_kind = [], "pipe"
            assert open_row is not None
            open_row.extend(pipe_cells)
            continue
        close()
        rows.append([line.strip()])
    close()
    return rows
