"""Read XLSX (openpyxl) and XLS (xlrd) workbooks into table rows, within the sheet and row caps."""

from __future__ import annotations

import io

from pipeline.extraction.attachments.base import (
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    BinaryContent,
    cell_string,
    table_text,
)


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
    return BinaryContent(text=table_text(rows), rows=rows, tables_found=len(sheets))


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
    return BinaryContent(text=table_text(rows), rows=rows, tables_found=sheet_count)
