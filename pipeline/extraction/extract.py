"""The one entry point from a fetched document to an `ExtractedReport`.

`extract_document` is pure: bytes + URL + headers in, a report out, never an exception for bad
input. It decides the format (magic bytes first, because servers mislabel files; then Content-Type;
then the URL's suffix), reads text and table rows, then metadata, template tables, checks, facts.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from pipeline.extraction import attachments
from pipeline.extraction.attachments.base import PrintedWord
from pipeline.extraction.attachments.ocr import ENGINE_NAME as OCR_ENGINE
from pipeline.extraction.attachments.ocr_tables import CellReading, ocr_cap_reached
from pipeline.extraction.checks import check_tables
from pipeline.extraction.decode import decode_body
from pipeline.extraction.facts import find_facts
from pipeline.extraction.html_doc import HtmlDocument, parse_html
from pipeline.extraction.keys import TEMPLATE_2019, TEMPLATE_2021, TEMPLATE_PRE2019, TEMPLATE_ROWS
from pipeline.extraction.layout_rows import layout_cells, layout_rows
from pipeline.extraction.lookalikes import fold_lookalikes, fold_rows, fold_words
from pipeline.extraction.metadata import choose_template, read_metadata
from pipeline.extraction.narrative_checks import fees_check, narrative_checks
from pipeline.extraction.pre2019 import Pre2019Result, read_pre2019
from pipeline.extraction.report import (
    DOC_ANNUAL_REPORT,
    DOC_OTHER,
    STATUS_BLANK,
    STATUS_FAILED,
    STATUS_IMAGE_ONLY,
    STATUS_NO_TABLES,
    STATUS_NOT_REPORT,
    STATUS_OCR,
    STATUS_OK,
    STATUS_PARTIAL,
    ExtractedReport,
    Place,
)
from pipeline.extraction.scan_labels import snap_rows
from pipeline.extraction.scan_provenance import attach_readings, doubtful_keys, flag_doubtful
from pipeline.extraction.section_checks import problems_section_check
from pipeline.extraction.tables import TablesResult, read_tables
from pipeline.extraction.text_cells import text_to_rows
from pipeline.extraction.values import is_blank

# Real reports are well under this (the largest PDFs run to a few MB); anything bigger is refused
# rather than parsed, so one hostile response cannot stall a crawl.
MAX_BODY_BYTES = 20 * 1024 * 1024
# Share of control/replacement characters above which decoded "text" is really binary.
MAX_JUNK_SHARE = 0.01

FORMAT_HTML = "html"
FORMAT_TEXT = "text"
FORMAT_PDF = "pdf"
FORMAT_DOCX = "docx"
FORMAT_XLSX = "xlsx"
FORMAT_XLS = "xls"
FORMAT_LEGACY_WORD = "doc"  # .doc/.wps (OLE2 word processors) and RTF: converted by LibreOffice
FORMAT_IMAGE = "image"  # a scanned page or table posted as a picture: read by OCR
FORMAT_UNKNOWN_BINARY = "binary"

_MIME = {
    FORMAT_HTML: "text/html",
    FORMAT_TEXT: "text/plain",
    FORMAT_PDF: "application/pdf",
    FORMAT_DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FORMAT_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FORMAT_XLS: "application/vnd.ms-excel",
    FORMAT_LEGACY_WORD: "application/msword",
}
# Image files by their magic bytes (PNG, JPEG, GIF, TIFF both byte orders, BMP).
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_CONTENT_TYPES = (
    ("pdf", FORMAT_PDF),
    ("wordprocessingml", FORMAT_DOCX),
    ("spreadsheetml", FORMAT_XLSX),
    ("ms-excel", FORMAT_XLS),
    ("msword", FORMAT_LEGACY_WORD),
    ("wps", FORMAT_LEGACY_WORD),
    ("html", FORMAT_HTML),
    ("xml", FORMAT_HTML),
    ("text/plain", FORMAT_TEXT),
)
_SUFFIXES = {
    ".pdf": FORMAT_PDF,
    ".docx": FORMAT_DOCX,
    ".xlsx": FORMAT_XLSX,
    ".xls": FORMAT_XLS,
    ".doc": FORMAT_LEGACY_WORD,
    ".wps": FORMAT_LEGACY_WORD,
    ".txt": FORMAT_TEXT,
    ".htm": FORMAT_HTML,
    ".html": FORMAT_HTML,
    ".shtml": FORMAT_HTML,
    ".jhtml": FORMAT_HTML,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
# The same characters in UTF-8: each control character is one byte, U+FFFD three.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_REPLACEMENT_UTF8 = "\ufffd".encode()


def _zip_format(body: bytes) -> str:
    """DOCX or XLSX by the parts inside the zip; anything else is an unknown binary."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return FORMAT_UNKNOWN_BINARY
    if "word/document.xml" in names:
        return FORMAT_DOCX
    if "xl/workbook.xml" in names:
        return FORMAT_XLSX
    return FORMAT_UNKNOWN_BINARY


def detect_format(body: bytes, url: str, content_type: str = "") -> str:
    """The document's format: magic bytes, then Content-Type, then URL suffix, then a sniff."""
    head = body[:1024]
    if b"%PDF-" in head:
        return FORMAT_PDF
    if body.startswith(b"PK\x03\x04"):
        return _zip_format(body)
    declared = next((fmt for word, fmt in _CONTENT_TYPES if word in content_type.lower()), None)
    suffix = re.search(r"\.[a-z]+$", urlsplit(url).path.lower())
    by_suffix = _SUFFIXES.get(suffix.group(0)) if suffix else None
    if body.startswith(attachments.OLE2_MAGIC):
        # Excel 97 and Word 97 (and Kingsoft WPS) share the container; its streams tell them apart,
        # the label only when the directory cannot be read.
        streams = attachments.ole2_stream_names(body)
        if "WordDocument" in streams:
            return FORMAT_LEGACY_WORD
        if streams & {"Workbook", "Book"}:
            return FORMAT_XLS
        return FORMAT_XLS if FORMAT_XLS in (declared, by_suffix) else FORMAT_LEGACY_WORD
    if body.startswith(_IMAGE_MAGIC) and (
        not body.startswith(b"BM") or content_type.lower().startswith("image/")
    ):
        return FORMAT_IMAGE  # "BM" starts text too: a BMP only when the server says image
    if body.startswith(b"{\\rtf"):
        return FORMAT_LEGACY_WORD  # .doc files are often RTF under the name
    if declared in (FORMAT_HTML, FORMAT_TEXT):
        return declared
    if by_suffix in (FORMAT_HTML, FORMAT_TEXT):
        return by_suffix
    if re.match(
        rb"\s*(<!|<html|<head|<body|<meta|<div|<table|<p\b)", head.lstrip(b"\xef\xbb\xbf"), re.I
    ):
        return FORMAT_HTML
    return FORMAT_TEXT


def _count_junk(sample: str) -> int:
    """How many control or replacement characters `sample` holds."""
    try:
        data = sample.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return len(_CONTROL.findall(sample))
    # Deleting bytes is a C loop, several times faster than a regex over the str.
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls + data.count(_REPLACEMENT_UTF8)


def _looks_binary(text: str) -> bool:
    sample = text[:50_000]
    return bool(sample) and _count_junk(sample) > MAX_JUNK_SHARE * len(sample)


Candidate = tuple[str, list[list[str]], list[list[Place | None]] | None]


def _candidate_rows(
    rows: list[list[str]],
    text: str,
    places: list[list[Place | None]],
    lines: Sequence[Sequence[PrintedWord]] = (),
) -> Iterator[Candidate]:
    """The document's own rows, then (only when asked for) the rows its text flattens into,
    then the rows of its text read as a PDF text layer lays a table out (`layout_cells`, of
    the reader's `lines` when it gave them); each with where it came from ('document', 'text',
    'layout') and where its cells were printed (None when unknown)."""
    if rows:
        yield "document", rows, places or None
    yield "text", text_to_rows(text), None
    if lines:
        yield "layout", *layout_cells(lines)
    else:
        yield "layout", layout_rows(text), None


def _reads_more(result: TablesResult, best: TablesResult | None) -> bool:
    """Whether `result` is a better reading than `best`: a known template first, then fewer
    template rows missing, else more metrics."""
    if best is None:
        return True
    known, best_known = (r.template in (TEMPLATE_2019, TEMPLATE_2021) for r in (result, best))
    if known != best_known:
        return known
    if known:
        return len(result.missing_rows) < len(best.missing_rows)
    return len(result.metrics) > len(best.metrics)


def _short_rows_missing(result: TablesResult) -> TablesResult:
    """`result` read from a text layout, with its rows that printed fewer cells than their columns
    counted missing: text keeps no trace of a blank cell, so which columns the printed numbers
    belong to is unknown (the report is `partial` rather than `ok` with cells in doubt) unless
    their places said it (`tables` reads such rows of table 三 by `column_places`). Such a
    row that is no template row is not read at all, with a problem saying why."""
    if not result.short_rows or result.template not in TEMPLATE_ROWS:
        return result
    template_rows = TEMPLATE_ROWS[result.template]
    missing = set(result.missing_rows) | set(result.short_rows)
    ordered = tuple(row for row in template_rows if row in missing)
    # A short row outside the template (a hybrid table's single 其他处理 row) cannot be named
    # missing: its numbers are dropped rather than kept in columns they may not belong to.
    doubtful = [row for row in result.short_rows if row not in template_rows]
    metrics = {
        key: metric
        for key, metric in result.metrics.items()
        if not any(key.startswith(f"{row}.") for row in doubtful)
    }
    problems = [
        *result.problems,
        *(
            f"{row}: fewer numbers than columns, which columns is unknown; not read"
            for row in doubtful
        ),
    ]
    return replace(result, missing_rows=ordered, metrics=metrics, problems=problems)


def _complete(result: TablesResult, rows_too: bool) -> bool:
    """Whether a reading needs no other: a template's tables read (`rows_too`: all their rows)."""
    read = result.template in (TEMPLATE_2019, TEMPLATE_2021) and bool(result.metrics)
    return read and (not rows_too or not result.missing_rows)


def _read_template_tables(
    rows: list[list[str]],
    text: str,
    year: int | None,
    places: list[list[Place | None]],
    complete_from_text: bool = False,
    lines: Sequence[Sequence[PrintedWord]] = (),
) -> TablesResult | None:
    """The document's tables, else the tables its text flattens into, whichever reads more
    (`_reads_more`). The text is read when the tables give no template's rows, and, with
    `complete_from_text` (PDFs, whose tables may lack rules in part), also when they lack some.
    `places` says where each cell of `rows` was printed (empty when unknown); `lines` are the
    text layer's words with their places (PDFs)."""
    best: TablesResult | None = None
    for source, candidate_rows, where in _candidate_rows(rows, text, places, lines):
        if not candidate_rows:
            continue
        result = read_tables(candidate_rows, year=year, places=where)
        if source == "layout":
            result = _short_rows_missing(result)
        if _reads_more(result, best):
            best = result
        if result is best and _complete(result, complete_from_text):
            break
    return best


def _read_old_table(
    rows: list[list[str]], text: str, places: list[list[Place | None]]
) -> Pre2019Result | None:
    """The pre-2019 统计表 from the document's tables, else from its text; None when absent."""
    for source, candidate_rows, where in _candidate_rows(rows, text, places):
        if candidate_rows:
            result = read_pre2019(candidate_rows, where if source == "document" else None)
            if result.metrics:
                return result
    return None


def _tables_status(tables: TablesResult) -> tuple[str, str]:
    """The status of a report whose template tables were read, and the reason to give."""
    missing = tables.missing_rows
    if all(is_blank(metric.raw) for metric in tables.metrics.values()):
        return STATUS_BLANK, "blank template: no figure printed"
    if missing:
        rows = len(TEMPLATE_ROWS[tables.template])
        return STATUS_PARTIAL, f"{len(missing)} of {rows} template rows not found"
    return STATUS_OK, ""


def _scan_status(report: ExtractedReport, template: str, scan: attachments.ScanContent) -> None:
    """A scan's report: its metrics placed and flagged, status `ocr` when its tables were read."""
    readings = [list(row) for row in scan.cells]
    report.metrics = flag_doubtful(
        template,
        attach_readings(report.metrics, scan.rows, readings, report.missing_rows),
        report.checks,
    )
    doubtful = doubtful_keys(report.metrics)
    note = f"read by OCR ({OCR_ENGINE}, {scan.pages_read} pages): {len(doubtful)} doubtful cells"
    if report.status in (STATUS_OK, STATUS_PARTIAL):
        report.status = STATUS_OCR
    report.status_reason = "; ".join(filter(None, [note, report.status_reason]))[:500]


def _failed(report: ExtractedReport, reason: str) -> ExtractedReport:
    report.status = STATUS_FAILED
    report.status_reason = reason
    return report


def _readable(scan: attachments.ScanContent) -> bool:
    """Whether OCR read anything worth extracting (a title, a table) from the scan."""
    return len(re.sub(r"\s", "", scan.text)) >= attachments.MIN_TEXT_CHARS


def _image_only(report: ExtractedReport, scan: attachments.ScanContent) -> ExtractedReport:
    report.status = STATUS_IMAGE_ONLY
    report.status_reason = "no text layer (a scanned document) and OCR read nothing" + (
        f": {scan.problem}" if scan.problem else ""
    )
    return report


def _read_images(images: Sequence[bytes]) -> attachments.ScanContent:
    """The tables and text of a page's pictures, by OCR, one image after another, within the
    caps a scanned document has (pages, CPU seconds): a page of photographs stops there."""
    combined = attachments.ScanContent(has_text_layer=False)
    problems = []
    started = time.process_time()
    cache = attachments.CropCache()  # the images of one report print the same digits
    for page_number, body in enumerate(images, start=1):
        cap = ocr_cap_reached(page_number - 1, len(images), started, "pictures")
        if cap:
            problems.append(cap)
            break
        scan = attachments.read_image(body, page_number, cache)
        combined.text = "\n".join(filter(None, [combined.text, scan.text]))
        combined.rows += scan.rows
        combined.cells += scan.cells
        combined.tables_found += scan.tables_found
        combined.pages_read += scan.pages_read
        problems += [scan.problem] if scan.problem else []
    combined.problem = "; ".join(problems) or None
    return combined


def _behind(rows: list[list[str]], scan: attachments.ScanContent) -> attachments.ScanContent:
    """`scan` with a document's own `rows` before its own (no OCR reading for them), its `rows`
    and `cells` aligned."""
    unread: list[list[CellReading | None]] = [[None] * len(row) for row in rows]
    scan.cells = unread + scan.cells
    scan.rows = rows + scan.rows
    return scan


def _read_with_pictures(
    text: str, rows: list[list[str]], pictures: Sequence[bytes]
) -> tuple[attachments.ScanContent, str, list[list[str]]]:
    """A document's text and rows followed by its pictures' read by OCR (`_read_images`), as the
    scan (`_behind`), the text and the rows."""
    scan = _behind(rows, _read_images(pictures))
    return scan, "\n".join(filter(None, [text, scan.text])), scan.rows


def _tables_complete(
    rows: list[list[str]],
    text: str,
    places: list[list[Place | None]],
    lines: Sequence[Sequence[PrintedWord]] = (),
    pdf: bool = False,
) -> bool:
    """Whether a document's own tables (or its text; a PDF's text layer by its words' places
    too) give every row of a template's tables."""
    tables = _read_template_tables(rows, text, None, places, pdf, lines)
    return tables is not None and _complete(tables, rows_too=True)


def _pictures_read(
    body: bytes, content: attachments.BinaryContent
) -> attachments.ScanContent | None:
    """The tables a typed PDF prints as pictures (scanned pages, pasted screenshots), read by OCR
    when its text layer does not give the template's tables; None when there is nothing to add.
    The scan's rows are the text layer's (no OCR reading) followed by the pictures'."""
    if _tables_complete(content.rows, content.text, content.places, content.lines, pdf=True):
        return None
    pages, typed = attachments.picture_pages(body)
    if not pages:
        return None
    scan = attachments.read_picture_pages(body, pages, typed)
    if not scan.rows:
        return None  # no table in the pictures: the text layer's reading stands
    return _behind(content.rows, scan)


def _with_pictures(
    content: attachments.BinaryContent, scan: attachments.ScanContent
) -> attachments.BinaryContent:
    """The text layer's reading with the pictures' tables and text after its own."""
    pictured = scan.rows[len(content.rows) :]
    return attachments.BinaryContent(
        text="\n".join(filter(None, [content.text, scan.text])),
        rows=scan.rows,
        places=content.places + [[None] * len(row) for row in pictured] if content.places else [],
        tables_found=content.tables_found + scan.tables_found,
        problem="; ".join(filter(None, [content.problem, scan.problem])) or None,
        lines=content.lines,
    )


def extract_document(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    link_text: str | None = None,
    source_agency: str | None = None,
    images: Sequence[bytes] = (),
) -> ExtractedReport:
    """Read one document into an `ExtractedReport`; bad input becomes status `failed`.

    `images` are the bodies of the pictures an HTML page shows (tables posted as images), in
    page order: their tables are read by OCR after the page's own."""
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    content_type = headers.get("content-type", "")
    report = ExtractedReport(url=url, content_type=content_type)
    if not body or not body.strip():
        return _failed(report, "empty body")
    if len(body) > MAX_BODY_BYTES:
        return _failed(report, f"body too large ({len(body)} bytes > {MAX_BODY_BYTES})")
    fmt = detect_format(body, url, content_type)
    report.content_type = _MIME.get(fmt, content_type)
    page = HtmlDocument()
    rows: list[list[str]] = []
    places: list[list[Place | None]] = []
    lines: list[list[PrintedWord]] = []  # a PDF's text layer, each word with its place
    problem: str | None = None
    scan: attachments.ScanContent | None = None
    if fmt in (FORMAT_HTML, FORMAT_TEXT):
        decoded = decode_body(body, content_type)
        if _looks_binary(decoded.text):
            return _failed(report, f"binary content, not {fmt} (decoded as {decoded.encoding})")
        if fmt == FORMAT_HTML:
            page = parse_html(decoded.text, url)
            text = page.text
            rows = page.rows
            report.attachments = page.attachments
        else:
            text = decoded.text.strip()
        if not text and not page.title:
            return _failed(report, f"no readable text in the {fmt} document")
        if images:
            scan, text, rows = _read_with_pictures(text, rows, images)
            problem = scan.problem
    elif fmt in (FORMAT_PDF, FORMAT_DOCX, FORMAT_XLSX, FORMAT_XLS, FORMAT_LEGACY_WORD):
        reader = {
            FORMAT_PDF: attachments.read_pdf,
            FORMAT_DOCX: attachments.read_docx,
            FORMAT_XLSX: attachments.read_xlsx,
            FORMAT_XLS: attachments.read_xls,
            FORMAT_LEGACY_WORD: attachments.read_legacy_word,
        }[fmt]
        content = reader(body)
        if content.problem and not content.text and not content.rows:
            return _failed(report, content.problem)
        if not content.has_text_layer:
            scan = attachments.read_scanned_pdf(body)
            if not _readable(scan):
                return _image_only(report, scan)
            content = scan
        elif fmt == FORMAT_PDF:
            scan = _pictures_read(body, content)
            content = content if scan is None else _with_pictures(content, scan)
        text, rows, problem = content.text, content.rows, content.problem
        places, lines = content.places, content.lines
        notes = content.picture_problems
        # Tables pasted as pictures (DOCX): read only when the document's own tables lack the
        # template's, so that the logos and photos of a report read from its text cost nothing.
        if (content.pictures or notes) and not _tables_complete(rows, text, places):
            if content.pictures:
                scan, text, rows = _read_with_pictures(text, rows, content.pictures)
                notes = [*([scan.problem] if scan.problem else []), *notes]
                if places:  # each row keeps its places: the pictures' rows have none
                    places = places + [[None] * len(row) for row in rows[len(places) :]]
            problem = "; ".join(filter(None, [problem, *notes])) or None
    elif fmt == FORMAT_IMAGE:
        report.content_type = content_type if content_type.startswith("image/") else "image"
        scan = attachments.read_image(body)
        if not _readable(scan):
            return _image_only(report, scan)
        text, rows, problem = scan.text, scan.rows, scan.problem
    else:
        return _failed(report, "unrecognised binary format")

    if scan is not None:
        rows = scan.rows = snap_rows(rows)  # OCR's misspelt labels, before the tables are read
    # The one place look-alike ideographs (⽆ for 无, ⾏ for 行) are folded: every reader below
    # sees the ordinary characters (see lookalikes.py).
    text, rows, lines = fold_lookalikes(text), fold_rows(rows), fold_words(lines)
    report.text = text
    meta = read_metadata(
        fold_lookalikes(page.title) if page.title else page.title,
        text,
        published=page.published,
        meta={name: fold_lookalikes(content) for name, content in page.meta.items()},
        link_text=fold_lookalikes(link_text) if link_text else link_text,
        publisher=fold_lookalikes(page.publisher) if page.publisher else None,
        source_agency=source_agency,
    )
    report.title, report.agency, report.year = meta.title, meta.agency, meta.year
    report.published, report.doc_type = meta.published, meta.doc_type
    old_table = (
        _read_old_table(rows, text, places) if meta.year is not None and meta.year < 2019 else None
    )
    if old_table is not None:
        report.template = TEMPLATE_PRE2019
        report.facts = find_facts(text)
        report.metrics = old_table.metrics
        if report.doc_type == DOC_OTHER:
            report.doc_type = DOC_ANNUAL_REPORT  # only annual reports print the 统计表
        report.status = STATUS_OK
        report.status_reason = "; ".join(([problem] if problem else []) + old_table.problems)[:500]
        return report
    tables = _read_template_tables(rows, text, meta.year, places, fmt == FORMAT_PDF, lines)
    tables_read = bool(
        tables and tables.metrics and tables.template in (TEMPLATE_2019, TEMPLATE_2021)
    )
    report.template = choose_template(
        tables.template if tables_read and tables else None, meta.year
    )
    report.facts = find_facts(text)
    reasons = [problem] if problem else []
    if tables_read and tables:
        report.metrics = dict(tables.metrics)
        report.checks = check_tables(tables.template, report.metrics)
        report.checks += narrative_checks(report.facts, report.metrics)
        fees = fees_check(text, report.metrics)
        report.checks += [fees] if fees else []
        report.checks.append(problems_section_check(text))
        if report.doc_type == DOC_OTHER:
            # Only annual reports print the template's tables.
            report.doc_type = DOC_ANNUAL_REPORT
        report.missing_rows = list(tables.missing_rows)
        report.status, status_reason = _tables_status(tables)
        if status_reason:
            reasons.insert(0, status_reason)
        reasons += list(tables.problems)
        if scan is not None:
            report.status_reason = "; ".join(reasons)
            _scan_status(report, tables.template, scan)
            return report
    elif report.doc_type == DOC_OTHER:
        report.status = STATUS_NOT_REPORT
        reasons.insert(0, f"not an annual report: {report.title or 'untitled'}")
    else:
        report.status = STATUS_NO_TABLES
        reasons.insert(0, "no statistical table found")
    report.status_reason = "; ".join(reasons)[:500]
    return report
