"""A report as the sample portal publishes it when asked for the costly formats: scanned, as table
images, as a typed PDF with pictures for tables, as a legacy Word .doc.

`SamplePortal(extra_formats=True)` (`nianbao portal --extra-formats`, which `make demo` uses) puts
four synthetic reports on the plain site this way (`portal.plain_site`): an image-only PDF made by
scanning the portal's PDF (`portal.scan_render`), a detail page showing that scan's pages as PNG
images, the portal's PDF with each table a scanned picture (`portal.picture_render`), and
LibreOffice's Word 97 conversion of the portal's DOCX. Each costs a second or more
(rasterising; starting `soffice`), so each is made once per content and kept: the portal's PDF
and DOCX of a report are deterministic, so their SHA-256 names the result, and a report changed
by `change_report` is rendered anew under its new hash. A missing LibreOffice is an error here,
not an empty file: the portal must not publish a .doc that is not one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from portal.content import ReportSpec
from portal.file_render import render_docx, render_pdf
from portal.picture_render import render_pdf_table_pictures
from portal.scan_render import png_bytes, scan_pages, scan_pdf

SOFFICE_TIMEOUT_SECONDS = 180.0
_Made = TypeVar("_Made")
_cache: dict[tuple[str, str], Any] = {}
_cache_lock = threading.Lock()
# One rendering at a time: PDFium is not thread-safe (two pictures of one report asked for at
# once by a crawl scanned the same PDF in two server threads and crashed the process), and a
# second request for the same rendering waits for the first instead of making it again.
_making = threading.Lock()


def _cached(kind: str, source: bytes, make: Callable[[bytes], _Made]) -> _Made:
    """`make(source)` once per (kind, content hash of `source`)."""
    key = (kind, hashlib.sha256(source).hexdigest())
    with _making:
        with _cache_lock:
            if key in _cache:
                return _cache[key]  # type: ignore[no-any-return]
        made = make(source)
        with _cache_lock:
            return _cache.setdefault(key, made)  # type: ignore[no-any-return]


def _scan(pdf: bytes) -> tuple[bytes, tuple[bytes, ...]]:
    """The scanned PDF and the PNG of each scanned page of `pdf` (one scan serves both)."""
    # The skew and blur follow from the content, so a report scans the same way every run.
    pages = scan_pages(pdf, seed=int.from_bytes(hashlib.sha256(pdf).digest()[:4], "big"))
    return scan_pdf(pages), tuple(png_bytes(page) for page in pages)


def scanned(spec: ReportSpec) -> tuple[bytes, tuple[bytes, ...]]:
    """The report's scan: an image-only PDF and its pages as PNG files."""
    return _cached("scan", render_pdf(spec), _scan)


def scan_page_count(spec: ReportSpec) -> int:
    """How many pages the report's scan has (the page of table images shows one image each),
    without scanning: the pages of the portal's PDF."""
    import pypdfium2 as pdfium

    pdf = render_pdf(spec)
    with _making:
        document = pdfium.PdfDocument(pdf)
        try:
            return len(document)
        finally:
            document.close()


def _doc(docx: bytes) -> bytes:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError(
            "soffice is missing: install libreoffice-writer-nogui (make system-deps)"
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-portal-doc-") as scratch:
        work = Path(scratch)
        source = work / "report.docx"
        source.write_bytes(docx)
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(work),
            str(source),
        ]
        subprocess.run(command, capture_output=True, timeout=SOFFICE_TIMEOUT_SECONDS, check=False)
        target = work / "report.doc"
        if not target.is_file() or target.stat().st_size == 0:
            raise RuntimeError("soffice made no .doc of the report")
        return target.read_bytes()


def table_pictures_pdf(spec: ReportSpec) -> bytes:
    """The report as a typed PDF whose tables are scanned pictures (`portal.picture_render`)."""

    def made(pdf: bytes) -> bytes:
        return render_pdf_table_pictures(
            spec, seed=int.from_bytes(hashlib.sha256(pdf).digest()[:4], "big")
        )

    return _cached("pictures", render_pdf(spec), made)


def legacy_doc(spec: ReportSpec) -> bytes:
    """The report as a Word 97 .doc: LibreOffice's conversion of the portal's DOCX."""
    return _cached("doc", render_docx(spec), _doc)
