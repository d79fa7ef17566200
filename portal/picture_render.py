"""Reports whose tables are pictures inside a typed PDF: the prose typed, each table a scan.

Agencies paste scanned or screenshotted tables into their Word report and save it as PDF: the
text layer holds the title, the prose and the tables' headings, while the tables are images on
the same pages. `render_pdf_table_pictures` makes that from a spec: each table drawn alone as the
portal's PDF draws it (`portal.file_render.pdf_table`), scanned as `portal.scan_render` scans
pages (150 dpi, skewed, blurred, JPEG-compressed), cropped to its ink, and set where the table
stood, at its printed size or shrunk to fit the page (a table the scan cut over two pages gives two
pictures). The truth is
the spec's: every cell is in a picture. Deterministic for a seed.
"""

from __future__ import annotations

import io
from typing import Any

from portal.content import ReportSpec
from portal.file_render import pdf_document, pdf_table, render_pdf
from portal.scan_render import SCAN_DPI, scan_pages
from portal.tables import Table

INK = 160  # grey level below which a pixel is ink, for cropping a picture to its table
MARGIN = 8  # pixels of paper kept around the ink
# The largest picture the portal's A4 page frame holds (498 × 686 pt), with room to spare.
MAX_WIDTH_PT = 480.0
MAX_HEIGHT_PT = 640.0


def _cropped(page: Any) -> Any | None:
    """The scanned page cut to its ink (with a margin), or None for a blank page."""
    import numpy as np

    grey = np.asarray(page.convert("L"))
    rows = np.flatnonzero((grey < INK).any(axis=1))
    columns = np.flatnonzero((grey < INK).any(axis=0))
    if not len(rows) or not len(columns):
        return None
    top, bottom = max(int(rows[0]) - MARGIN, 0), min(int(rows[-1]) + MARGIN, grey.shape[0])
    left, right = max(int(columns[0]) - MARGIN, 0), min(int(columns[-1]) + MARGIN, grey.shape[1])
    return page.crop((left, top, right, bottom))


def table_pictures(table: Table, seed: int) -> list[Any]:
    """The table, drawn alone and scanned, as reportlab image flowables at its printed size."""
    from reportlab.platypus import Image

    scans = scan_pages(pdf_document([pdf_table(table)]), seed=seed)
    pictures = []
    for page in scans:
        cropped = _cropped(page)
        if cropped is None:
            continue
        buffer = io.BytesIO()
        cropped.save(buffer, "PNG")
        buffer.seek(0)
        # Printed size, shrunk to fit the page's frame as a word processor fits a pasted picture.
        points = 72.0 / SCAN_DPI
        width, height = cropped.width * points, cropped.height * points
        fit = min(1.0, MAX_WIDTH_PT / width, MAX_HEIGHT_PT / height)
        pictures.append(Image(buffer, width=width * fit, height=height * fit))
    return pictures


def render_pdf_table_pictures(spec: ReportSpec, seed: int) -> bytes:
    """The report as a typed PDF whose tables are scanned pictures (see the module)."""
    counter = iter(range(1_000))
    return render_pdf(spec, lambda table: table_pictures(table, seed * 10 + next(counter)))
