"""Read a DOCX's paragraphs and tables straight from word/document.xml with lxml.

python-docx builds a proxy object per paragraph, run and cell and rescans rows to resolve
merged cells, which makes it the slow part of reading a Word attachment. This module reads the
same XML with lxml and gives the same `BinaryContent` as python-docx (`pipeline.extraction.attachments.
read_docx_python_docx`): body paragraphs and tables in document order; a paragraph's text is its
direct runs' and hyperlinks' text (w:t, tabs, line breaks as python-docx maps them); a table
row's cells are its direct w:tc, a cell spanning columns (gridSpan) appears once and a cell
continuing a vertical merge (vMerge) not at all, since python-docx gives the merge's first cell
there, which the row reader has already seen.

`read_docx_fast` returns None — "read this one with python-docx" — when the package is not the
plain layout (main part other than /word/document.xml, unexpected content type), the XML does
not parse, or a vertical merge has no cell above it to continue (python-docx then reports its
own error). `pipeline.extraction.attachments.read_docx` is the entry point and does the falling back.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from pipeline.extraction.attachments.base import BinaryContent, cell_string

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _R, _T, _TC, _TR = (f"{{{_W}}}{name}" for name in ("p", "r", "t", "tc", "tr"))
_HYPERLINK, _TCPR, _TRPR = (f"{{{_W}}}{name}" for name in ("hyperlink", "tcPr", "trPr"))
_VAL = f"{{{_W}}}val"
_TYPE = f"{{{_W}}}type"
_MAIN_PART = "word/document.xml"
_MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
# python-docx's text equivalents of run content other than w:t (w:br depends on its type).
_RUN_MARKS = {f"{{{_W}}}tab": "\t", f"{{{_W}}}ptab": "\t", f"{{{_W}}}cr": "\n"}
_RUN_MARKS[f"{{{_W}}}noBreakHyphen"] = "-"
_BR = f"{{{_W}}}br"


class _Irregular(Exception):
    """Something python-docx might read differently: leave the document to it."""


def _parser() -> etree.XMLParser:
    # The settings python-docx parses with, so the same files parse (or fail) alike.
    return etree.XMLParser(remove_blank_text=True, resolve_entities=False)


def _main_part(archive: zipfile.ZipFile) -> bytes:
    """word/document.xml, after checking the package points at it as python-docx would."""
    relationships = etree.fromstring(archive.read("_rels/.rels"), _parser())
    targets = [
        rel.get("Target", "").lstrip("/")
        for rel in relationships
        if rel.get("Type") == _OFFICE_DOCUMENT and rel.get("TargetMode") != "External"
    ]
    if [posixpath.normpath(target) for target in targets] != [_MAIN_PART]:
        raise _Irregular("main document part is not word/document.xml")
    content_types = etree.fromstring(archive.read("[Content_Types].xml"), _parser())
    declared = [
        entry.get("ContentType")
        for entry in content_types
        if entry.get("PartName") == "/" + _MAIN_PART
    ]
    if declared != [_MAIN_CONTENT_TYPE]:
        raise _Irregular("main document part has another content type")
    return archive.read(_MAIN_PART)


def _run_text(run: etree._Element) -> str:
    parts: list[str] = []
    for child in run:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _BR:
            parts.append("\n" if child.get(_TYPE, "textWrapping") == "textWrapping" else "")
        elif tag in _RUN_MARKS:
            parts.append(_RUN_MARKS[tag])
    return "".join(parts)


def paragraph_text(paragraph: etree._Element) -> str:
    """python-docx's `Paragraph.text`: direct runs and hyperlinks' runs, in order."""
    parts: list[str] = []
    for child in paragraph:
        if child.tag == _R:
            parts.append(_run_text(child))
        elif child.tag == _HYPERLINK:
            parts.extend(_run_text(run) for run in child if run.tag == _R)
    return "".join(parts)


def _property(parent: etree._Element, properties_tag: str, name: str) -> str | None:
    """The w:val of ./properties/name, "" when the element has no w:val, None when absent."""
    properties = parent.find(properties_tag)
    if properties is None:
        return None
    element = properties.find(f"{{{_W}}}{name}")
    return None if element is None else element.get(_VAL, "")


def _number(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise _Irregular(f"not a number: {value!r}") from error


def table_rows(table: etree._Element) -> list[list[str]]:
    """Rows of a w:tbl with each original cell once, as `_docx_table_rows` gives them."""

    rows: list[list[str]] = []
    above: set[int] | None = None  # grid offsets where the row above starts a cell
    for row in table.iterchildren(_TR):
        offset = _number(_property(row, _TRPR, "gridBefore"), 0)
        starts: set[int] = set()
        cells: list[str] = []
        for cell in row.iterchildren(_TC):
            merge = _property(cell, _TCPR, "vMerge")
            continues = merge is not None and merge in ("", "continue")
            if continues:
                # python-docx resolves this to the cell above at the same grid offset
                # (raising when there is none); that cell was already read.
                if above is None or offset not in above:
                    raise _Irregular("a vertical merge with no cell above")
            else:
                paragraphs = cell.iterchildren(_P)
                cells.append(cell_string("\n".join(paragraph_text(p) for p in paragraphs)))
            starts.add(offset)
            offset += _number(_property(cell, _TCPR, "gridSpan"), 1)
        if cells:
            rows.append(cells)
        above = starts
    return rows


def read_docx_fast(body: bytes) -> BinaryContent | None:
    """Paragraphs and tables of a Word 2007+ file, or None when python-docx should read it."""

    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            root = etree.fromstring(_main_part(archive), _parser())
        body_element = root.find(f"{{{_W}}}body")
        if body_element is None:
            return None
        parts: list[str] = []
        rows: list[list[str]] = []
        tables_found = 0
        for child in body_element.iterchildren():
            if not isinstance(child.tag, str):
                return None  # a comment or processing instruction: python-docx trips on these
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                parts.append(paragraph_text(child).strip())
            elif tag == "tbl":
                found = table_rows(child)
                tables_found += 1
                rows.extend(found)
                parts.append("\n".join("\t".join(row) for row in found))
    except Exception:  # noqa: BLE001 - zipfile/lxml errors and _Irregular: python-docx decides
        return None
    return BinaryContent(text="\n".join(parts).strip(), rows=rows, tables_found=tables_found)
