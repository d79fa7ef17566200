"""Read a PDF into text and table rows: PDFium's fast reading, pdfplumber's where that may differ."""

from __future__ import annotations

import io
import re
from typing import Any

from pipeline.extraction.attachments.base import (
    MAX_PDF_PAGES,
    MIN_TEXT_CHARS,
    BinaryContent,
    PrintedWord,
    cell_string,
    non_empty_rows,
)
from pipeline.extraction.attachments.pdf_frames import frame_indices
from pipeline.extraction.attachments.pdf_pdfium import read_pdf_fast
from pipeline.extraction.attachments.pdf_ruling import Edge, page_break_edges
from pipeline.extraction.attachments.pdf_words import (
    CellFinder,
    Char,
    ink_box,
    lines_text,
    page_lines,
    printed_words,
    unplaced_words,
)
from pipeline.extraction.report import Place


def read_pdf(body: bytes) -> BinaryContent:
    """Text and table rows of a PDF: PDFium's fast reading, pdfplumber's where that may differ.

    `pipeline.extraction.attachments.pdf_pdfium` rebuilds pdfplumber's results from PDFium's characters and paths
    several times faster, and says when a document is better left to pdfplumber."""

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
            places: list[list[Place | None]] = []
            lines: list[list[PrintedWord]] = []
            tables_found = 0
            for page_number, page in enumerate(pdf.pages[:MAX_PDF_PAGES], start=1):
                page_text = page.extract_text() or ""
                texts.append(page_text)
                chars = [_char(c) for c in page.chars]
                words = page_lines(chars)
                # The words' places only when they make the very text pdfplumber gave (they
                # do for upright text, which is all a table is read from).
                if lines_text(words) == page_text:
                    lines += printed_words(words, page_number)
                else:
                    lines += unplaced_words(page_text)
                tables = page.find_tables(_table_settings(page.edges))
                frames = frame_indices(
                    [t.bbox for t in tables],
                    [all(len(row.cells) == 1 for row in t.rows) for t in tables],
                    float(page.height),
                )
                tables = [table for index, table in enumerate(tables) if index not in frames]
                finder = CellFinder(chars if tables else [])
                for table in tables:
                    tables_found += 1
                    for row, ruled in zip(table.extract(), table.rows, strict=True):
                        # None marks a cell covered by a merged one: keep original cells only.
                        kept = [
                            (cell, box)
                            for cell, box in zip(row, ruled.cells, strict=True)
                            if cell is not None and box is not None
                        ]
                        rows.append([cell_string(cell) for cell, _ in kept])
                        boxes = [(b[0], b[1], b[2], b[3]) for _, b in kept]
                        places.append(
                            [(page_number, ink_box(finder.chars_in(b), b)) for b in boxes]
                        )
    except Exception as error:  # noqa: BLE001 - pdfminer raises many unrelated types on bad input
        return BinaryContent(problem=f"unreadable PDF: {type(error).__name__}: {error}"[:300])
    text = "\n".join(texts).strip()
    content = non_empty_rows(text, rows, places, tables_found)
    content.has_text_layer = len(re.sub(r"\s", "", text)) >= MIN_TEXT_CHARS
    content.lines = lines
    if page_count > MAX_PDF_PAGES:
        content.problem = f"only the first {MAX_PDF_PAGES} of {page_count} pages read"
    return content


def _char(char: dict[str, Any]) -> Char:
    return Char(char["text"], char["x0"], char["top"], char["x1"], char["bottom"])


def _table_settings(edges: list[dict[str, Any]]) -> dict[str, Any]:
    """pdfplumber's default settings plus the rules closing tables cut by a page break
    (`pdf_ruling.page_break_edges`), so both readers find the same cells."""
    ours = [Edge(e["orientation"] == "v", e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges]
    lines = [
        {
            "object_type": "line",
            "x0": edge.x0,
            "x1": edge.x1,
            "top": edge.top,
            "bottom": edge.bottom,
            "width": edge.x1 - edge.x0,
            "height": 0.0,
        }
        for edge in page_break_edges(ours)
    ]
    return {"explicit_horizontal_lines": lines}
