"""Read attached documents (PDF, DOCX, XLSX, XLS) into text and table rows.

Each reader takes the file's bytes and returns a `BinaryContent`; a file the library cannot open
is a `problem`, not an exception. Rows follow the contract of `pipeline.tables.read_tables`: every
row of every table in document order, ORIGINAL cells only (a merged cell appears once), "" for an
empty cell.
Work is capped (pages, sheets, rows) so a hostile file cannot stall a crawl.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_PDF_PAGES = 80
MAX_SHEETS = 10
MAX_SHEET_ROWS = 2000
MAX_SHEET_COLUMNS = 60
# A page with fewer characters than this is treated as having no text layer (page numbers, stamps).
MIN_TEXT_CHARS = 20

_WIDE = r"[^\x00-\x7f]"
_NEWLINE_IN_WIDE = re.compile(rf"(?<={_WIDE})\s*\n\s*|\s*\n\s*(?={_WIDE})")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


@dataclass
class BinaryContent:
    """Text and table rows read from one file; `problem` says why it could not be read."""

    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    tables_found: int = 0
    has_text_layer: bool = True
    problem: str | None = None


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


def _table_text(rows: Iterable[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in rows)


def read_pdf(body: bytes) -> BinaryContent:
    """Text and table rows of a PDF: PDFium's fast reading, pdfplumber's where that may differ.

    `pipeline.pdf_fast` rebuilds pdfplumber's results from PDFium's characters and paths
    several times faster, and says when a document is better left to pdfplumber."""
    from pipeline.pdf_fast import read_pdf_fast

    content = read_pdf_fast(body, MAX_PDF_PAGES)
    return content if content is not None else read_pdf_plumber(body)


def read_pdf_plumber(body: bytes) -> BinaryContent:
    """Tables via pdfplumber's `extract_tables()`, text via `extract_text()`, page by page."""
    import pdfplumber  # imported here: pdfminer is slow to import and only PDFs need it

    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            page_count = len(pdf.pages)
            texts: list[str] = []
            rows: list[list[str]] = []
            tables_found = 0
            for page in pdf.pages[:MAX_PDF_PAGES]:
                texts.append(page.extract_text() or "")
                for table in page.extract_tables():
                    tables_found += 1
                    # None marks a cell covered by a merged one: keep original cells only.
                    rows.extend(
                        [cell_string(cell) for cell in row if cell is not None] for row in table
                    )
    except Exception as error:  # noqa: BLE001 - pdfminer raises many unrelated types on bad input
        return BinaryContent(problem=f"unreadable PDF: {type(error).__name__}: {error}"[:300])
    text = "\n".join(texts).strip()
    content = BinaryContent(text=text, rows=[r for r in rows if r], tables_found=tables_found)
    content.has_text_layer = len(re.sub(r"\s", "", text)) >= MIN_TEXT_CHARS
    if page_count > MAX_PDF_PAGES:
        content.problem = f"only the first {MAX_PDF_PAGES} of {page_count} pages read"
    return content


def _docx_table_rows(table: Any) -> list[list[str]]:
    """Rows of a python-docx table; merged cells come back repeated as the same `_tc`: keep one."""
    # The set holds the lxml elements themselves: lxml reuses a live proxy for the same node, while
    # id() of a dropped proxy can be reused by an unrelated one.
    seen: set[Any] = set()
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(cell_string(cell.text))
        if cells:
            rows.append(cells)
    return rows


def read_docx(body: bytes) -> BinaryContent:
    """Paragraphs and tables of a Word 2007+ file, in document order: word/document.xml read
    with lxml (`pipeline.docx_fast`), python-docx for a package that reader leaves to it."""
    from pipeline.docx_fast import read_docx_fast

    content = read_docx_fast(body)
    return content if content is not None else read_docx_python_docx(body)


def read_docx_python_docx(body: bytes) -> BinaryContent:
    """Paragraphs and tables of a Word 2007+ file, in document order, through python-docx."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(body))
        parts: list[str] = []
        rows: list[list[str]] = []
        tables_found = 0
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                parts.append(Paragraph(child, document).text.strip())
            elif tag == "tbl":
                table_rows = _docx_table_rows(Table(child, document))
                tables_found += 1
                rows.extend(table_rows)
                parts.append(_table_text(table_rows))
    except Exception as error:  # noqa: BLE001 - python-docx/zipfile/lxml errors on bad input
        return BinaryContent(problem=f"unreadable DOCX: {type(error).__name__}: {error}"[:300])
    return BinaryContent(text="\n".join(parts).strip(), rows=rows, tables_found=tables_found)


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop empty rows and trailing empty cells (spreadsheets pad to the used range)."""
    trimmed = []
    for row in rows:
        while row and row[-1] == "":
            row.pop()
        if row:
            trimmed.append(row)
    return trimmed


def read_xlsx(body: bytes) -> BinaryContent:
    """Every sheet's used range; cells covered by a merge are "" (openpyxl gives them no value)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(body), data_only=True)
        rows: list[list[str]] = []
        sheets = workbook.worksheets[:MAX_SHEETS]
        for sheet in sheets:
            sheet_rows = sheet.iter_rows(
                max_row=min(sheet.max_row, MAX_SHEET_ROWS),
                max_col=min(sheet.max_column, MAX_SHEET_COLUMNS),
                values_only=True,
            )
            rows.extend(_trim([[cell_string(value) for value in row] for row in sheet_rows]))
        workbook.close()
    except Exception as error:  # noqa: BLE001 - openpyxl/zipfile errors on bad input
        return BinaryContent(problem=f"unreadable XLSX: {type(error).__name__}: {error}"[:300])
    return BinaryContent(text=_table_text(rows), rows=rows, tables_found=len(sheets))


def read_xls(body: bytes) -> BinaryContent:
    """Every sheet of an Excel 97-2003 file; cells covered by a merge are ""."""
    import xlrd

    try:
        # xlrd reports damage by printing to stdout; the failure reason below says it instead.
        workbook = xlrd.open_workbook(
            file_contents=body, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )
        rows: list[list[str]] = []
        sheet_count = min(workbook.nsheets, MAX_SHEETS)
        for index in range(sheet_count):
            sheet = workbook.sheet_by_index(index)
            covered = {
                (r, c)
                for r_lo, r_hi, c_lo, c_hi in sheet.merged_cells
                for r in range(r_lo, r_hi)
                for c in range(c_lo, c_hi)
                if (r, c) != (r_lo, c_lo)
            }
            for r in range(min(sheet.nrows, MAX_SHEET_ROWS)):
                row = [
                    "" if (r, c) in covered else cell_string(sheet.cell_value(r, c))
                    for c in range(min(sheet.ncols, MAX_SHEET_COLUMNS))
                ]
                rows.append(row)
        workbook.release_resources()
    except Exception as error:  # noqa: BLE001 - xlrd raises XLRDError, struct.error, … on bad input
        return BinaryContent(problem=f"unreadable XLS: {type(error).__name__}: {error}"[:300])
    rows = _trim(rows)
    return BinaryContent(text=_table_text(rows), rows=rows, tables_found=sheet_count)
