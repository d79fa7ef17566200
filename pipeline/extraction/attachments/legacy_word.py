"""Read a legacy Word file (.doc, Kingsoft .wps, RTF) by converting it to DOCX with LibreOffice.

The conversion is `office_converter`'s (one headless LibreOffice per process, started on the
first legacy document); the DOCX is then read by the same reader as any DOCX, so tables,
metrics and checks come out as they would for the Word 2007 file. A conversion that fails is a
`problem` naming why (LibreOffice missing, file too large, timeout, unreadable document).
"""

from __future__ import annotations

from pipeline.extraction.attachments.base import BinaryContent
from pipeline.extraction.attachments.docx import read_docx
from pipeline.extraction.attachments.office_converter import OfficeConverter, shared_converter


def read_legacy_word(body: bytes, converter: OfficeConverter | None = None) -> BinaryContent:
    """Paragraphs and tables of a .doc/.wps/.rtf, through LibreOffice's DOCX."""
    conversion = (converter or shared_converter()).convert(body)
    if conversion.output is None:
        return BinaryContent(problem=f"legacy Word/WPS not converted: {conversion.problem}")
    return read_docx(conversion.output)
