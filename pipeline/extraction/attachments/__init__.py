"""Read attached documents (PDF, DOCX, XLSX, XLS, .doc/.wps/RTF through LibreOffice, and scans
and images by OCR) into text and table rows.

Rows follow the contract of `pipeline.extraction.tables.read_tables`: every row of every table in
document order, original cells only (a merged cell appears once), "" for an empty cell. `base`
holds what the readers share, so the readers never import each other.
"""

from pipeline.extraction.attachments.base import MIN_TEXT_CHARS, BinaryContent, cell_string
from pipeline.extraction.attachments.docx import read_docx, read_docx_python_docx
from pipeline.extraction.attachments.legacy_word import read_legacy_word
from pipeline.extraction.attachments.ocr_crop_cache import CropCache
from pipeline.extraction.attachments.ocr_tables import (
    ScanContent,
    read_image,
    read_scanned_pdf,
)
from pipeline.extraction.attachments.ole2 import OLE2_MAGIC
from pipeline.extraction.attachments.ole2 import stream_names as ole2_stream_names
from pipeline.extraction.attachments.pdf import read_pdf, read_pdf_plumber
from pipeline.extraction.attachments.pdf_pictures import picture_pages, read_picture_pages
from pipeline.extraction.attachments.spreadsheet import read_xls, read_xlsx

__all__ = [
    "MIN_TEXT_CHARS",
    "OLE2_MAGIC",
    "BinaryContent",
    "CropCache",
    "ScanContent",
    "cell_string",
    "read_docx",
    "read_docx_python_docx",
    "read_legacy_word",
    "ole2_stream_names",
    "picture_pages",
    "read_pdf",
    "read_pdf_plumber",
    "read_image",
    "read_picture_pages",
    "read_scanned_pdf",
    "read_xls",
    "read_xlsx",
]
