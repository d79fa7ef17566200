"""Read a DOCX into paragraphs and table rows: lxml on word/document.xml, python-docx as the reference."""

from __future__ import annotations

import io
from typing import Any

from pipeline.extraction.attachments.base import BinaryContent, cell_string, table_text
from pipeline.extraction.attachments.docx_lxml import read_docx_fast
from pipeline.extraction.attachments.docx_pictures import docx_pictures


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
    with lxml (`pipeline.extraction.attachments.docx_lxml`), python-docx for a package that reader leaves to it;
    and the pictures that may be its tables (`docx_pictures`), for OCR when its tables lack them."""

    content = read_docx_fast(body)
    content = content if content is not None else read_docx_python_docx(body)
    if content.problem is None:
        pictures = docx_pictures(body)
        content.pictures, content.picture_problems = pictures.bodies, pictures.problems
    return content


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
                parts.append(table_text(table_rows))
    except Exception as error:  # noqa: BLE001 - python-docx/zipfile/lxml errors on bad input
        return BinaryContent(problem=f"unreadable DOCX: {type(error).__name__}: {error}"[:300])
    return BinaryContent(text="\n".join(parts).strip(), rows=rows, tables_found=tables_found)
