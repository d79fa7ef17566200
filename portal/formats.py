"""Every synthetic report in each format agencies publish, each rendering with the generator's truth.

The sample portal serves a report as an HTML page, a reportlab PDF or a python-docx DOCX. Real
agencies also print the web page to PDF from a browser (page chrome included: date and title at
the top, URL and page number at the bottom), and save their Word file through an office suite as
PDF, as Word 97 (.doc) or again as DOCX. `render_formats` makes those renderings for measuring
the reader (`bench/extract_accuracy.py`, `tests/test_extract_accuracy.py`):

- `html`: the report page as the portal serves it (Word-pasted TRS tables and plain Hanweb tables
  alternately), with the site's header, navigation, breadcrumb and footer;
- `docx`, `pdf_reportlab`: the portal's attachments (`portal.file_render`);
- `pdf_browser`: Debian's Chromium, `--headless --print-to-pdf` of the HTML page from a file. The
  command line prints one URL per start (≈ 1.5 s each), so two run at a time;
- `pdf_wps`: a PDF with the quirks of real WPS exports (page border frame, tables broken across
  pages with a row cut by the break, wrapped and vertical labels, typos, Kangxi radicals, hybrid
  table 三): `portal.wps_render`, whose truth is what that rendering prints;
- `pdf_wps_borderless`: the same PDF with its tables drawn without rules, so that only the text
  layer holds them (blank cells leave no trace in its text; the words' places say the columns);
- `scan_pdf`, `scan_png`: the reportlab PDF scanned (`portal.scan_render`: 150 dpi, skewed up
  to 1.5°, blurred, JPEG-compressed), as an image-only PDF, and as PNG images shown in the report's
  HTML page in place of its tables (`Rendering.images` holds them, in page order);
- `docx_table_images`: a Word file whose prose is text and whose tables are pictures, each cut
  from the `scan_pdf` scan where the reportlab PDF prints it (a table broken across pages is two
  pictures), as agencies paste screenshots of their tables (`portal.table_pictures`);
- `pdf_table_images`: that Word file saved as PDF by LibreOffice: prose in the text layer, the
  tables as images on its pages;
- `pdf_table_pictures`: a typed PDF (title, prose and headings in its text layer) whose tables are
  scanned pictures set where the tables stood (`portal.picture_render`: each table drawn alone,
  scanned and cropped to its ink), as agencies paste scanned tables into their report;
- `pdf_office`, `doc`, `docx_office`: LibreOffice's `soffice --headless --convert-to` of the
  portal's DOCX, one start per target format for all the reports (a fresh profile in the work
  directory). The extraction's long-lived converter (`office_converter`) is not used: its bridge
  exports only DOC and RTF, and refuses a DOCX as input for DOCX, as extraction should.

A missing Chromium or LibreOffice, or a conversion that produced nothing, is a value
(`FormatSet.problems`), never an exception. Reads no settings; nothing from `pipeline` but the
template vocabulary the generator already uses.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from portal.content import ReportSpec, TruthReport
from portal.file_render import render_docx, render_pdf
from portal.html_render import paragraphs, report_body
from portal.picture_render import render_pdf_table_pictures
from portal.scan_render import png_bytes, scan_pages, scan_pdf
from portal.table_pictures import render_docx_table_images, table_pictures
from portal.wps_render import render_wps_pdf, wps_truth

FORMATS = (
    "html",
    "docx",
    "pdf_reportlab",
    "pdf_wps",
    "pdf_wps_borderless",
    "pdf_browser",
    "pdf_office",
    "doc",
    "docx_office",
    "scan_pdf",
    "scan_png",
    "docx_table_images",
    "pdf_table_images",
    "pdf_table_pictures",
)
# Text documents whose tables are pictures cut from the scan.
PICTURE_FORMATS = ("docx_table_images", "pdf_table_images")
# Formats made from the reportlab PDF's scan.
FROM_SCAN = ("scan_pdf", "scan_png", *PICTURE_FORMATS)
# Formats whose tables are read by OCR (seconds a page, not milliseconds).
SCAN_FORMATS = (*FROM_SCAN, "pdf_table_pictures")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
CHROMIUM_PARALLEL = 2
CHROMIUM_TIMEOUT_SECONDS = 60.0
SOFFICE_TIMEOUT_SECONDS = 600.0
# Format -> (file extension, content type the portal would send).
_FILE_TYPES = {
    "html": ("html", "text/html; charset=utf-8"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "docx_office": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "doc": ("doc", "application/msword"),
    "pdf_reportlab": ("pdf", "application/pdf"),
    "pdf_wps": ("pdf", "application/pdf"),
    "pdf_wps_borderless": ("pdf", "application/pdf"),
    "pdf_browser": ("pdf", "application/pdf"),
    "pdf_office": ("pdf", "application/pdf"),
    "scan_pdf": ("pdf", "application/pdf"),
    "scan_png": ("html", "text/html; charset=utf-8"),
    "docx_table_images": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf_table_images": ("pdf", "application/pdf"),
    "pdf_table_pictures": ("pdf", "application/pdf"),
}
# LibreOffice target per format: `--convert-to` argument (extension:export filter).
_OFFICE_TARGETS = {
    "pdf_office": "pdf:writer_pdf_Export",
    "doc": "doc:MS Word 97",
    "docx_office": "docx:MS Word 2007 XML",
}
# The same conversion of the Word file whose tables are pictures.
_PICTURE_OFFICE_TARGETS = {"pdf_table_images": "pdf:writer_pdf_Export"}
_SITE_NAME = "示例市人民政府"
_SITE_OWNER = "示例市人民政府办公室"


@dataclass(frozen=True)
class Rendering:
    """One report in one format: the bytes as served, its URL and headers, and its truth."""

    fmt: str
    body: bytes
    url: str
    headers: dict[str, str]
    truth: TruthReport
    images: tuple[bytes, ...] = ()  # the pictures the page shows (scan_png), in page order


@dataclass
class FormatSet:
    """Renderings per format, and why a format (or some of its reports) could not be made."""

    renderings: dict[str, list[Rendering]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time to render each format


def portal_page(spec: ReportSpec, word_style: bool, body_html: str | None = None) -> bytes:
    """The report's page as a portal serves it: header, navigation, breadcrumb, article, footer;
    `body_html` replaces the article's body (prose and tables)."""
    nav = "".join(
        f'<li><a href="{href}">{text}</a></li>'
        for href, text in (
            ("/", "首页"),
            ("/xwzx/", "新闻中心"),
            ("/zwgk/", "政务公开"),
            ("/zmhd/", "政民互动"),
            ("/bsfw/", "办事服务"),
        )
    )
    title = escape(spec.title)
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=utf-8" />\n'
        f"<title>{title}_{_SITE_NAME}</title>\n"
        f'<meta name="ArticleTitle" content="{title}">\n'
        f'<meta name="PubDate" content="{spec.published:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{escape(spec.agency)}">\n</head>\n<body>\n'
        f'<div class="header"><a href="/">{_SITE_NAME}</a></div>\n'
        f'<div class="nav"><ul>{nav}</ul></div>\n'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a>'
        " &gt; 政府信息公开年报</div>\n"
        f'<div class="article"><h1>{title}</h1>\n'
        f'<div class="info">发布时间：{spec.published:%Y-%m-%d %H:%M}　来源：'
        f"{escape(spec.agency)}</div>\n"
        f'<div class="TRS_Editor">{body_html or report_body(spec, word_style)}</div></div>\n'
        f'<div class="footer">主办单位：{_SITE_OWNER}　网站标识码：0000000000　'
        '<a href="/admin/index.htm">管理登录</a></div>\n</body></html>\n'
    ).encode()


def _rendering(
    fmt: str, index: int, body: bytes, spec: ReportSpec, images: tuple[bytes, ...] = ()
) -> Rendering:
    extension, content_type = _FILE_TYPES[fmt]
    url = f"http://127.0.0.1/accuracy/{fmt}/{index:04d}.{extension}"
    return Rendering(fmt, body, url, {"content-type": content_type}, spec.truth(), images)


def image_page(spec: ReportSpec, index: int, pages: int) -> bytes:
    """The report's page with its tables posted as images (one per scanned page) between the
    prose, the way some agencies publish them."""
    images = "\n".join(
        f'<p style="text-align:center"><img src="/accuracy/scan_png/{index:04d}_{page}.png" '
        f'alt="{escape(spec.title)}（{page + 1}）" width="800"></p>'
        for page in range(pages)
    )
    return portal_page(
        spec,
        False,
        "\n".join([paragraphs(spec.intro, False), images, paragraphs(spec.outro, False)]),
    )


def _scans(
    specs: Sequence[ReportSpec], scanned: list[list[object]], formats: Sequence[str]
) -> dict[str, list[Rendering]]:
    """The scanned renderings of each report's PDF (the same scan for both scan formats), and
    its typed PDF with the tables as scanned pictures (`scanned` may then be empty lists)."""
    made: dict[str, list[Rendering]] = {
        fmt: [] for fmt in ("scan_pdf", "scan_png", "pdf_table_pictures") if fmt in formats
    }
    for index, (spec, pages) in enumerate(zip(specs, scanned, strict=True)):
        if "scan_pdf" in made:
            made["scan_pdf"].append(_rendering("scan_pdf", index, scan_pdf(pages), spec))
        if "scan_png" in made:
            page = image_page(spec, index, len(pages))
            pngs = tuple(png_bytes(image) for image in pages)
            made["scan_png"].append(_rendering("scan_png", index, page, spec, pngs))
        if "pdf_table_pictures" in made:
            body = render_pdf_table_pictures(spec, seed=index)
            made["pdf_table_pictures"].append(_rendering("pdf_table_pictures", index, body, spec))
    return made


def _table_image_docx(
    specs: Sequence[ReportSpec], pdfs: list[bytes], scanned: list[list[object]]
) -> list[bytes]:
    """Each report as a Word file whose tables are pictures cut from its scan (seed: its index,
    as `_scans` scans it)."""
    return [
        render_docx_table_images(spec, table_pictures(spec, pdf, pages, seed=index))
        for index, (spec, pdf, pages) in enumerate(zip(specs, pdfs, scanned, strict=True))
    ]


def _print_page(html_path: Path, pdf_path: Path, profile: Path) -> str | None:
    """Chromium prints one page to PDF; the problem, if any."""
    command = [
        str(CHROMIUM),
        *CHROMIUM_ARGS,
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf_path}",
        html_path.as_uri(),
    ]
    try:
        subprocess.run(command, capture_output=True, timeout=CHROMIUM_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return f"chromium did not print {html_path.name} within {CHROMIUM_TIMEOUT_SECONDS:.0f} s"
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        return f"chromium printed nothing for {html_path.name}"
    return None


def _browser_pdfs(pages: list[bytes], workdir: Path) -> tuple[list[bytes | None], str | None]:
    if not CHROMIUM.is_file():
        return [None] * len(pages), f"{CHROMIUM} is missing: run scripts/install-system-deps.sh"
    jobs = []
    for index, page in enumerate(pages):
        html_path = workdir / f"page{index:04d}.html"
        html_path.write_bytes(page)
        jobs.append((html_path, workdir / f"page{index:04d}.pdf", workdir / f"chromium{index}"))
    with ThreadPoolExecutor(CHROMIUM_PARALLEL) as pool:
        problems = list(pool.map(lambda job: _print_page(*job), jobs))
    bodies = [pdf.read_bytes() if pdf.is_file() else None for _html, pdf, _profile in jobs]
    first_problem = next((p for p in problems if p), None)
    return bodies, first_problem


def _office_files(
    docx_bodies: list[bytes], targets: Sequence[str], workdir: Path
) -> tuple[dict[str, list[bytes | None]], dict[str, str]]:
    """LibreOffice converts every DOCX to each target, one `soffice` start per target."""
    soffice = shutil.which("soffice")
    if soffice is None:
        problem = "soffice is missing: install libreoffice-writer-nogui (make system-deps)"
        return {t: [None] * len(docx_bodies) for t in targets}, dict.fromkeys(targets, problem)
    sources = workdir / "docx"
    sources.mkdir()
    paths = []
    for index, body in enumerate(docx_bodies):
        path = sources / f"report{index:04d}.docx"
        path.write_bytes(body)
        paths.append(path)
    results: dict[str, list[bytes | None]] = {}
    problems: dict[str, str] = {}
    profile = (workdir / "office-profile").as_uri()
    for target in targets:
        outdir = workdir / target
        outdir.mkdir()
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            {**_OFFICE_TARGETS, **_PICTURE_OFFICE_TARGETS}[target],
            "--outdir",
            str(outdir),
            *map(str, paths),
        ]
        try:
            subprocess.run(
                command, capture_output=True, timeout=SOFFICE_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            problems[target] = f"soffice did not finish within {SOFFICE_TIMEOUT_SECONDS:.0f} s"
        extension = _FILE_TYPES[target][0]
        outputs = [outdir / f"{path.stem}.{extension}" for path in paths]
        results[target] = [out.read_bytes() if out.is_file() else None for out in outputs]
        missing = sum(body is None for body in results[target])
        if missing and target not in problems:
            problems[target] = f"soffice converted {len(paths) - missing} of {len(paths)} files"
    return results, problems


def render_formats(
    specs: Sequence[ReportSpec], formats: Sequence[str] = FORMATS, workdir: Path | None = None
) -> FormatSet:
    """Each spec rendered in each of `formats`; files are made under `workdir` (a temporary
    directory, removed afterwards, unless given)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats: {sorted(unknown)}")
    result = FormatSet()
    with tempfile.TemporaryDirectory(prefix="nianbao-formats-") as scratch:
        root = workdir or Path(scratch)
        start = time.perf_counter()
        pages = [portal_page(spec, word_style=i % 2 == 0) for i, spec in enumerate(specs)]
        if "html" in formats:
            result.renderings["html"] = [
                _rendering("html", i, page, spec)
                for i, (page, spec) in enumerate(zip(pages, specs, strict=True))
            ]
            result.seconds["html"] = time.perf_counter() - start
        start = time.perf_counter()
        docx_bodies = [render_docx(spec) for spec in specs]
        if "docx" in formats:
            result.renderings["docx"] = [
                _rendering("docx", i, body, spec)
                for i, (body, spec) in enumerate(zip(docx_bodies, specs, strict=True))
            ]
            result.seconds["docx"] = time.perf_counter() - start
        pdfs: list[bytes] = []
        scanned_formats = set(SCAN_FORMATS) & set(formats)
        if "pdf_reportlab" in formats or scanned_formats:
            start = time.perf_counter()
            pdfs = [render_pdf(spec) for spec in specs]
            if "pdf_reportlab" in formats:
                result.renderings["pdf_reportlab"] = [
                    _rendering("pdf_reportlab", i, pdf, spec)
                    for i, (pdf, spec) in enumerate(zip(pdfs, specs, strict=True))
                ]
                result.seconds["pdf_reportlab"] = time.perf_counter() - start
        for fmt, borderless in (("pdf_wps", False), ("pdf_wps_borderless", True)):
            if fmt not in formats:
                continue
            start = time.perf_counter()
            result.renderings[fmt] = [
                replace(
                    _rendering(fmt, i, render_wps_pdf(i, spec, borderless=borderless), spec),
                    truth=wps_truth(i, spec),
                )
                for i, spec in enumerate(specs)
            ]
            result.seconds[fmt] = time.perf_counter() - start
        scanned: list[list[object]] = []
        scan_seconds = 0.0  # the scanning, shared alike by the formats made from the scan
        if scanned_formats:
            start = time.perf_counter()
            from_scan = set(FROM_SCAN) & scanned_formats
            # pdf_table_pictures scans each table drawn alone, not the report's PDF.
            scanned = [
                scan_pages(pdf, seed=index) if from_scan else [] for index, pdf in enumerate(pdfs)
            ]
            scan_seconds = (time.perf_counter() - start) / max(len(from_scan), 1)
            start = time.perf_counter()
            scans = _scans(specs, scanned, formats)
            result.renderings.update(scans)
            for fmt in scans:
                result.seconds[fmt] = scan_seconds + (time.perf_counter() - start) / len(scans)
        picture_docx: list[bytes] = []
        if set(PICTURE_FORMATS) & set(formats):
            start = time.perf_counter()
            picture_docx = _table_image_docx(specs, pdfs, scanned)
            scan_seconds += time.perf_counter() - start  # the Word file is the PDF's source too
            if "docx_table_images" in formats:
                result.renderings["docx_table_images"] = [
                    _rendering("docx_table_images", i, body, spec)
                    for i, (body, spec) in enumerate(zip(picture_docx, specs, strict=True))
                ]
                result.seconds["docx_table_images"] = scan_seconds
        made: dict[str, list[bytes | None]] = {}
        if "pdf_browser" in formats:
            start = time.perf_counter()
            browser_dir = root / "browser"
            browser_dir.mkdir(parents=True)
            made["pdf_browser"], problem = _browser_pdfs(pages, browser_dir)
            if problem:
                result.problems["pdf_browser"] = problem
            result.seconds["pdf_browser"] = time.perf_counter() - start
        targets = [t for t in formats if t in _OFFICE_TARGETS]
        if targets:
            start = time.perf_counter()
            office_dir = root / "office"
            office_dir.mkdir(parents=True)
            office, problems = _office_files(docx_bodies, targets, office_dir)
            made.update(office)
            result.problems.update(problems)
            for target in targets:  # one start per target: the time is shared alike
                result.seconds[target] = (time.perf_counter() - start) / len(targets)
        if "pdf_table_images" in formats:
            start = time.perf_counter()
            office_dir = root / "office-pictures"
            office_dir.mkdir(parents=True)
            office, problems = _office_files(picture_docx, ["pdf_table_images"], office_dir)
            made.update(office)
            result.problems.update(problems)
            result.seconds["pdf_table_images"] = scan_seconds + time.perf_counter() - start
        for fmt, bodies in made.items():
            result.renderings[fmt] = [
                # A file the tool did not make stays in, empty: its cells count as not read.
                _rendering(fmt, i, body or b"", spec)
                for i, (body, spec) in enumerate(zip(bodies, specs, strict=True))
            ]
    return result
