"""What every attachment reader shares: the `BinaryContent` it returns, cell text, and work caps.

Each reader (`pdf`, `docx`, `spreadsheet`) takes the file's bytes and returns a `BinaryContent`; a
file the library cannot open is a `problem`, not an exception. Rows follow the contract of `pipeline.extraction.tables.read_tables`: every
row of every table in document order, ORIGINAL cells only (a merged cell appears once), "" for an
empty cell.
A PDF reader also gives its text layer's `lines`: each printed line's words with where each was
printed, so a table drawn without rules can be read from the words' places
(`pipeline.extraction.layout_rows`).
Work is capped (pages, sheets, rows) so a hostile file cannot stall a crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.extraction.report import Place

MAX_PDF_PAGES = 80
MAX_SHEETS = 10
MAX_SHEET_ROWS = 2000
MAX_SHEET_COLUMNS = 60
# A page with fewer characters than this is treated as having no text layer (page numbers, stamps).
MIN_TEXT_CHARS = 20

# A word of a text layer and where it was printed (None when the reader cannot say).
PrintedWord = tuple[str, Place | None]

_WIDE = r"[^\x00-\x7f]"
_NEWLINE_IN_WIDE = re.compile(rf"(?<={_WIDE})\s*\n\s*|\s*\n\s*(?={_WIDE})")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


@dataclass
class BinaryContent:
    """Text and table rows read from one file; `problem` says why it could not be read."""

    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    # Where each cell of `rows` was printed (PDFs: page and box), row for row; empty when unknown.
    places: list[list[Place | None]] = field(default_factory=list)
    tables_found: int = 0
    has_text_layer: bool = True
    problem: str | None = None
    # A PDF's text layer, line by line (the non-blank lines of `text`), each line's words with
    # their places; empty for other formats.
    lines: list[list[PrintedWord]] = field(default_factory=list)
    # Pictures the document shows that may be its tables (DOCX: `docx_pictures`), in document
    # order, and why others that might be could not be read. Extraction reads them by OCR only
    # when the tables above lack the template's.
    pictures: list[bytes] = field(default_factory=list)
    picture_problems: list[str] = field(default_factory=list)


def non_empty_rows(
    text: str, rows: list[list[str]], places: list[list[Place | None]], tables_found: int
) -> BinaryContent:
    """A reading of `text` and the non-empty of `rows`, with their `places` kept aligned."""
    kept = [index for index, row in enumerate(rows) if row]
    return BinaryContent(
        text=text,
        rows=[rows[index] for index in kept],
        places=[places[index] for index in kept],
        tables_found=tables_found,
    )


def cell_string(value: Any) -> str:
    """A cell value as printed text: wrapped lines joined, 3.0 → "3", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = _NEWLINE_IN_WIDE.sub("", str(value))
    return _SPACES.sub(" ", text).strip()


def table_text(rows: Iterable[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in rows)
