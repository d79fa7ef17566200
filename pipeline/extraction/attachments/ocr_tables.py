"""Read scanned pages (image-only PDF pages, table images) into text and table rows by OCR.

Per page: the page is straightened (the skew of its long ruling lines), the ruling lines are found
with OpenCV (morphological opening along each axis), and turned into the same cells the text-layer
PDF reader finds (`pdf_ruling.find_tables`, coordinates in PDF points at the scan's resolution).
Each cell is read on its own: no ink inside it is an empty cell (read with certainty), otherwise
its ink is cut into lines by the gaps between them and each line goes to the recogniser
(`ocr.recognise`). The prose outside the tables is cut into lines the same way and read by the
recogniser too (no text detection). Rows follow the contract of `tables.read_tables`;
beside them `ScanContent.cells` says for every cell where it was printed and how sure the
recogniser was, so that every metric can keep its page, box and confidence.

OCR is slow, so work is capped per document (pages and CPU seconds); a cap that was hit is the
content's `problem`, and the pages after it are not read. The time cap counts this process's CPU
time, not the wall clock: what a document reads must not depend on how busy the machine is (the
extraction cache keeps the result for good).
"""

from __future__ import annotations

import io
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.extraction.attachments import ocr
from pipeline.extraction.attachments.base import BinaryContent, cell_string
from pipeline.extraction.attachments.ocr_crop_cache import CropCache
from pipeline.extraction.attachments.pdf_ruling import Box, Edge, find_tables

MAX_OCR_PAGES = 12
MAX_OCR_CPU_SECONDS = 60.0
# Pages are rendered (image-only PDFs) at, and images assumed scanned at, this resolution.
RENDER_DPI = 150
# A ruling line is at least this long (pixels at RENDER_DPI): shorter strokes are characters.
MIN_RULE_PIXELS = 25
# Outside the tables only strokes this long are rules (a page frame, a line under a header): a
# 16 pt title's horizontal strokes pass 25 px, and painting them out made the title unreadable.
PROSE_RULE_PIXELS = 100
# Dark pixels inside a cell (after trimming its borders) below which it is empty: specks, JPEG noise.
MIN_INK_PIXELS = 12
# Pixels trimmed inside each cell border (the line and its blur).
CELL_INSET = 4
# Text lines in a cell: a run of inked rows shorter than MIN_LINE_PIXELS (table text is 12–14 px
# high at 150 dpi) is part of a glyph and joins a neighbour up to SHORT_RUN_GAP_PIXELS away.
MIN_LINE_PIXELS = 10
SHORT_RUN_GAP_PIXELS = 5
# A stroke this thin touching a cell's edge is a remnant of its ruling line, not a character.
BORDER_REMNANT_PIXELS = 3
# A number with stray marks around it: quotes, question marks, dots, bars, spaces (`0.`: a speck
# after a lone 0 cost the next row of table 三 its place).
_FRAMED_NUMBER = re.compile(
    r"""[\s"'“”‘’`?？.,，、|:：;；]*(\d+(?:\.\d+)?)[\s"'“”‘’`?？.,，、|:：;；]*"""
)
# Latin letters the recogniser gives for a blurred digit (a lone 5 read as S, 0 as O): a cell of
# nothing else is that number, and doubtful whatever its score (LOOKALIKE_CONFIDENCE).
_DIGIT_LOOKALIKES = str.maketrans("OoDSsIlZzB", "0005511228")
_LOOKALIKE_NUMBER = re.compile(r"[0-9OoDSsIlZzB]{1,6}")
LOOKALIKE_CONFIDENCE = 0.5
# A number whose ink is this many digits wider than the digits read is doubtful (a digit dropped);
# the width of a digit is measured on the table's numbers read this confidently, if it has this
# many of two digits or more.
DIGIT_DROPPED = 0.8
DROPPED_DIGIT_CONFIDENCE = 0.4
DIGIT_WIDTH_CONFIDENCE = 0.9
DIGIT_WIDTH_SAMPLES = 3
# Skew beyond this is not corrected (a page photographed askew is not a scan this reader handles).
MAX_SKEW_DEGREES = 5.0


@dataclass(frozen=True)
class CellReading:
    """Where a table cell was printed (page 1-based, box in PDF points) and the OCR confidence."""

    page: int
    bbox: tuple[float, float, float, float]
    confidence: float


@dataclass
class ScanContent(BinaryContent):
    """`BinaryContent` read by OCR; `cells` holds one `CellReading` per cell of `rows`."""

    cells: list[list[CellReading | None]] = field(default_factory=list)
    pages_read: int = 0
    seconds: float = 0.0


def _grey(image: Any) -> Any:
    import numpy as np

    return np.asarray(image.convert("L"), dtype=np.uint8)


def _ink(grey: Any) -> Any:
    """Dark pixels (255) on white (0): Otsu's threshold copes with grey JPEG backgrounds."""
    import cv2

    _threshold, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def _rules(binary: Any, horizontal: bool, length: int = MIN_RULE_PIXELS) -> Any:
    """The mask of straight strokes at least `length` pixels long along one axis."""
    import cv2

    size = (length, 1) if horizontal else (1, length)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)


def _skew_degrees(binary: Any) -> float:
    """The page's skew, from the slope of its long horizontal ruling lines (0 when none)."""
    import cv2
    import numpy as np

    # A tolerant opening (thick kernel) keeps lines that drift a pixel every few dozen.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (MIN_RULE_PIXELS * 3, 1))
    dilated = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    mask = cv2.morphologyEx(dilated, cv2.MORPH_OPEN, kernel)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    angles, weights = [], []
    for contour in contours:
        if len(contour) < 2:
            continue
        points = contour.reshape(-1, 2).astype(np.float64)
        width = points[:, 0].max() - points[:, 0].min()
        if width < binary.shape[1] / 4:
            continue
        slope = np.polyfit(points[:, 0], points[:, 1], 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(width))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    return median if abs(median) <= MAX_SKEW_DEGREES else 0.0


def _straighten(grey: Any) -> tuple[Any, Any]:
    """The page rotated upright, and the 2×3 affine matrix taking its pixels back to the scan's
    (None when the page was not rotated)."""
    import cv2

    angle = _skew_degrees(_ink(grey))
    if abs(angle) < 0.05:
        return grey, None
    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    straight = cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
    return straight, cv2.invertAffineTransform(matrix)


def _on_scan(box: Box, back: Any, scale: float) -> tuple[float, float, float, float]:
    """A box of the straightened page (points) as printed on the scan: the bounds of its corners
    rotated back, so that the page image (`datasette/plugins/page_image.py`), drawn from the
    archived scan, outlines the cell where it is (1.5° moved a cell's far corner by 15 px)."""
    if back is None:
        return box
    x0, top, x1, bottom = (value / scale for value in box)
    xs, ys = [], []
    for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
        xs.append(back[0][0] * x + back[0][1] * y + back[0][2])
        ys.append(back[1][0] * x + back[1][1] * y + back[1][2])
    # Plain floats: numpy's would reach the stored report (and its cache) as numpy scalars.
    return (
        float(min(xs) * scale),
        float(min(ys) * scale),
        float(max(xs) * scale),
        float(max(ys) * scale),
    )


def _edges(binary: Any, scale: float) -> list[Edge]:
    """Ruling lines as `pdf_ruling` edges in PDF points (`scale` points per pixel)."""
    import cv2

    edges = []
    for horizontal in (True, False):
        mask = _rules(binary, horizontal)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if horizontal:
                middle = (y + h / 2) * scale
                edges.append(Edge(False, x * scale, middle, (x + w) * scale, middle))
            else:
                middle = (x + w / 2) * scale
                edges.append(Edge(True, middle, y * scale, middle, (y + h) * scale))
    return edges


def _runs(inked: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of each run of True."""
    runs, start = [], None
    for index, flag in enumerate([*inked, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _without_border_remnants(cell_ink: Any) -> Any:
    """The cell's ink without thin strokes along its edges: what is left of a skewed ruling line
    after the inset (the recogniser reads such a sliver as 1, ' or ?)."""
    ink = cell_ink.copy()
    for axis in (0, 1):
        inked = (ink.sum(axis=1 - axis) > 0).tolist()
        size = len(inked)
        for start, end in _runs(inked):
            if end - start <= BORDER_REMNANT_PIXELS and (start == 0 or end == size):
                if axis == 0:
                    ink[start:end, :] = 0
                else:
                    ink[:, start:end] = 0
    return ink


def _without_rules(grey: Any, binary: Any, length: int = MIN_RULE_PIXELS) -> tuple[Any, Any]:
    """The page with its ruling lines (and their blurred fringe) painted white, so that a cell's
    ink is its text only: a sliver of a skewed line inside a cell reads as 1, ' or ?."""
    import cv2

    lines = cv2.bitwise_or(_rules(binary, True, length), _rules(binary, False, length))
    lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    clean_grey = grey.copy()
    clean_grey[lines > 0] = 255
    return clean_grey, cv2.bitwise_and(binary, cv2.bitwise_not(lines))


def _text_lines(rows_inked: list[bool]) -> list[tuple[int, int]]:
    """Runs of inked pixel rows that are text lines: a short run (half a blurred 2 cut at its
    diagonal, a comma's tail) joins its neighbour."""
    lines: list[tuple[int, int]] = []
    for start, end in _runs(rows_inked):
        if lines:
            last_start, last_end = lines[-1]
            gap = start - last_end
            short = min(end - start, last_end - last_start) < MIN_LINE_PIXELS
            if short and gap <= SHORT_RUN_GAP_PIXELS:
                lines[-1] = (last_start, end)
                continue
        lines.append((start, end))
    return lines


def _line_crops(ink: Any, grey: Any) -> list[tuple[Any, Any]]:
    """The ink cut into text lines, each as (its ink cut to its bounding box, as a boolean mask;
    an RGB crop with a little margin)."""
    return [(mask, crop) for _start, _end, mask, crop in _lines_with_crops(ink, grey)]


def _lines_with_crops(ink: Any, grey: Any) -> list[tuple[int, int, Any, Any]]:
    """(first pixel row, end row, ink mask, RGB crop) of each text line of the ink, top to
    bottom; specks (under MIN_INK_PIXELS) are not lines."""
    import numpy as np

    lines = []
    for start, end in _text_lines((ink.sum(axis=1) > 0).tolist()):
        if int(ink[start:end].sum() // 255) < MIN_INK_PIXELS:
            continue
        columns = np.flatnonzero(ink[start:end].sum(axis=0))
        mask = ink[start:end, columns[0] : columns[-1] + 1] > 0
        top, bottom = max(start - 3, 0), min(end + 3, grey.shape[0])
        left, right = max(columns[0] - 4, 0), min(columns[-1] + 5, grey.shape[1])
        lines.append((start, end, mask, np.stack([grey[top:bottom, left:right]] * 3, axis=-1)))
    return lines


def _prose(grey: Any, ink: Any, scale: float) -> list[tuple[float, str]]:
    """The text lines outside the tables, as (height on the page in points, text).

    Report prose is one column, so blank pixel rows cut it into lines as they cut a cell, and each
    line goes to the recogniser alone: no text detection. Detection cost 1.5 CPU s a page for the
    few lines a table page has around its tables, and found the same lines."""
    lines = _lines_with_crops(ink, grey)
    readings = ocr.recognise([crop for _start, _end, _mask, crop in lines])
    return [
        ((start + end) / 2 * scale, text.strip())
        for (start, end, _mask, _crop), (text, score) in zip(lines, readings, strict=True)
        if score >= ocr.MIN_LINE_SCORE and text.strip()
    ]


def _read_cells(
    grey: Any, binary: Any, boxes: list[Box], scale: float, cache: CropCache
) -> list[tuple[str, float]]:
    """Text and confidence of each cell box (points): empty cells are ("", 1.0). A line crop
    matching one already read in this document (`cache`) takes that reading."""
    # (cell index, its lines' readings, each line's ink (height, width))
    jobs: list[tuple[int, list[tuple[str, float] | None], list[tuple[int, int]]]] = []
    masks: list[Any] = []
    crops: list[Any] = []
    for index, (x0, top, x1, bottom) in enumerate(boxes):
        left, right = int(x0 / scale) + CELL_INSET, int(x1 / scale) - CELL_INSET
        upper, lower = int(top / scale) + CELL_INSET, int(bottom / scale) - CELL_INSET
        if right - left < 4 or lower - upper < 4:
            continue
        cell_ink = _without_border_remnants(binary[upper:lower, left:right])
        if int(cell_ink.sum() // 255) < MIN_INK_PIXELS:
            continue
        known: list[tuple[str, float] | None] = []
        shapes: list[tuple[int, int]] = []
        for mask, crop in _line_crops(cell_ink, grey[upper:lower, left:right]):
            known.append(cache.lookup(mask))
            shapes.append(mask.shape)
            if known[-1] is None:
                masks.append(mask)
                crops.append(crop)
        jobs.append((index, known, shapes))
    recognised = ocr.recognise(crops)
    for mask, (text, score) in zip(masks, recognised, strict=True):
        cache.add(mask, text, score)
    results = iter(recognised)
    readings = [("", 1.0)] * len(boxes)
    ink_shapes: dict[int, tuple[int, int]] = {}  # one-line cells: the line's ink (height, width)
    for index, known, shapes in jobs:
        lines = [reading if reading is not None else next(results) for reading in known]
        text = "\n".join(text for text, _score in lines)
        # Ink the recogniser could not read is a doubtful empty cell, not a certain one.
        confidence = min((score for _text, score in lines), default=0.0)
        cleaned = _number_cleaned(cell_string(text))
        if _LOOKALIKE_NUMBER.fullmatch(cleaned) and not cleaned.isdigit():
            cleaned = cleaned.translate(_DIGIT_LOOKALIKES)
            confidence = min(confidence, LOOKALIKE_CONFIDENCE)
        readings[index] = (cleaned, confidence if text.strip() else 0.0)
        if len(shapes) == 1:
            ink_shapes[index] = shapes[0]
    return _digits_dropped(readings, ink_shapes)


def _digits_dropped(
    readings: list[tuple[str, float]], ink_shapes: dict[int, tuple[int, int]]
) -> list[tuple[str, float]]:
    """The readings, a number whose ink is wider than its digits by a whole digit or more made
    doubtful: the recogniser dropped one (444 read 44 at 0.92, a table 二 cell no identity
    checks). A digit's width, to the height of its ink, is the table's own: the median over its
    numbers of two digits or more read with confidence (one font a table)."""
    samples = [
        width / (height * len(text))
        for index, (height, width) in ink_shapes.items()
        for text, confidence in [readings[index]]
        if text.isdigit() and len(text) >= 2 and confidence >= DIGIT_WIDTH_CONFIDENCE
    ]
    if len(samples) < DIGIT_WIDTH_SAMPLES:
        return readings
    digit = statistics.median(samples)
    checked = list(readings)
    for index, (height, width) in ink_shapes.items():
        text, confidence = checked[index]
        if text.isdigit() and width / (height * digit) - len(text) >= DIGIT_DROPPED:
            checked[index] = (text, min(confidence, DROPPED_DIGIT_CONFIDENCE))
    return checked


def _number_cleaned(text: str) -> str:
    """A number the recogniser framed with a stray mark (`2“`, `2 ?`, `'0`) as the number alone.
    The cell keeps the recogniser's low confidence, so the reading stays flagged."""
    match = _FRAMED_NUMBER.fullmatch(text)
    return match.group(1) if match else text


@dataclass
class _PageReading:
    text: str
    rows: list[list[str]]
    cells: list[list[CellReading | None]]
    tables: int


def read_page_image(
    image: Any, page_number: int, dpi: float = RENDER_DPI, cache: CropCache | None = None
) -> _PageReading:
    """One scanned page (a PIL image): its prose and table rows with their cell readings. `cache`
    holds the document's cell crops read so far (a page read alone has its own)."""
    cache = cache if cache is not None else CropCache()
    grey, back = _straighten(_grey(image))
    binary = _ink(grey)
    scale = 72.0 / dpi
    tables = find_tables(_edges(binary, scale))
    prose_grey, outside = _without_rules(grey, binary, PROSE_RULE_PIXELS)
    grey, binary = _without_rules(grey, binary)
    rows: list[list[str]] = []
    cells: list[list[CellReading | None]] = []
    table_lines: list[tuple[float, str]] = []
    for table in tables:
        boxes = [box for row in table for box in row]
        readings = iter(_read_cells(grey, binary, boxes, scale, cache))
        for row in table:
            row_texts, row_cells = [], []
            for box in row:
                text, confidence = next(readings)
                row_texts.append(text)
                printed = _on_scan(box, back, scale)
                row_cells.append(CellReading(page_number, printed, round(confidence, 3)))
            rows.append(row_texts)
            cells.append(list(row_cells))
            table_lines.append((row[0][1], " ".join(t for t in row_texts if t)))
        x0 = min(b[0] for b in boxes) / scale
        top = min(b[1] for b in boxes) / scale
        x1 = max(b[2] for b in boxes) / scale
        bottom = max(b[3] for b in boxes) / scale
        outside[int(top) : int(bottom) + 2, int(x0) : int(x1) + 2] = 0
    prose = _prose(prose_grey, outside, scale)
    # Page text in reading order: prose lines and table rows by their height on the page.
    ordered = sorted(prose + table_lines, key=lambda item: item[0])
    text = "\n".join(line for _y, line in ordered)
    return _PageReading(text, rows, cells, len(tables))


def ocr_cap_reached(read: int, total: int, cpu_started: float, unit: str = "pages") -> str | None:
    """Why OCR stops before its next page, `read` of `total` read since `cpu_started` (process
    time): the page cap or the CPU-time cap; None to go on. A scanned document's pages and a
    report page's pictures share the caps."""
    if read >= MAX_OCR_PAGES:
        return f"OCR page cap: read {MAX_OCR_PAGES} of {total} {unit}"
    if time.process_time() - cpu_started > MAX_OCR_CPU_SECONDS:
        return f"OCR time cap ({MAX_OCR_CPU_SECONDS:.0f} CPU-s): read {read} of {total} {unit}"
    return None


@dataclass
class ScanPicture:
    """One picture for OCR: a scanned page, or a picture printed on a page at `offset` (points,
    its top left corner), whose prose a text layer holds already (`tables_only`)."""

    image: Any  # a PIL image
    page: int
    dpi: float = RENDER_DPI
    offset: tuple[float, float] = (0.0, 0.0)
    tables_only: bool = False


def _moved(cells: list[list[CellReading | None]], offset: tuple[float, float]) -> list[Any]:
    """`cells` with their boxes moved by `offset` (from a picture's corner to its page's)."""
    if offset == (0.0, 0.0):
        return cells
    dx, dy = offset
    return [
        [
            None
            if cell is None
            else replace(
                cell,
                bbox=(cell.bbox[0] + dx, cell.bbox[1] + dy, cell.bbox[2] + dx, cell.bbox[3] + dy),
            )
            for cell in row
        ]
        for row in cells
    ]


def read_pictures(
    pictures: Sequence[ScanPicture],
    total: int | None = None,
    unit: str = "pages",
    has_text_layer: bool = False,
    cache: CropCache | None = None,
) -> ScanContent:
    """Pictures read by OCR one after another, within the page and CPU-time caps (`total`: how
    many the document has, for the cap's message): every table with its cells' readings, each
    box on its page; the text of each picture, or of a `tables_only` one its tables' rows.
    `cache`: the document's cell crops already read (pictures given one by one share it)."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    content = ScanContent(has_text_layer=has_text_layer)
    texts: list[str] = []
    problem = ocr.available()
    if problem:
        content.problem = problem
        return content
    total = total if total is not None else len(pictures)
    cache = cache if cache is not None else CropCache()
    for offset, picture in enumerate(pictures):
        content.problem = ocr_cap_reached(offset, total, cpu_started, unit)
        if content.problem:
            break
        page = read_page_image(picture.image, picture.page, picture.dpi, cache)
        if picture.tables_only:
            texts += filter(None, (" ".join(cell for cell in row if cell) for row in page.rows))
        else:
            texts.append(page.text)
        content.rows.extend(page.rows)
        content.cells.extend(_moved(page.cells, picture.offset))
        content.tables_found += page.tables
        content.pages_read += 1
    content.text = "\n".join(texts).strip()
    content.seconds = time.perf_counter() - started
    return content


def read_scanned_pages(
    images: list[Any],
    first_page: int = 1,
    dpi: float = RENDER_DPI,
    pages_total: int | None = None,
    cache: CropCache | None = None,
) -> ScanContent:
    """Scanned pages (PIL images), numbered from `first_page`, read by OCR (`read_pictures`)."""
    pages = [ScanPicture(image, first_page + offset, dpi) for offset, image in enumerate(images)]
    return read_pictures(pages, pages_total, cache=cache)


def _page_images(body: bytes, limit: int) -> tuple[list[Any], int]:
    """The first `limit` pages of a PDF rendered at RENDER_DPI in grey, and the page count."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(body)
    try:
        count = len(document)
        images = []
        for index in range(min(count, limit)):
            page = document[index]
            try:
                bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
                images.append(bitmap.to_pil())
            finally:
                page.close()
    finally:
        document.close()
    return images, count


def read_scanned_pdf(body: bytes) -> ScanContent:
    """An image-only PDF read by OCR (page and time caps apply)."""
    try:
        images, count = _page_images(body, MAX_OCR_PAGES + 1)
    except Exception as error:  # noqa: BLE001 - PdfiumError and ctypes errors on a bad file
        return ScanContent(has_text_layer=False, problem=f"unrenderable PDF: {error}"[:300])
    return read_scanned_pages(images, pages_total=count)


def read_image(body: bytes, page_number: int = 1, cache: CropCache | None = None) -> ScanContent:
    """A PNG/JPEG/GIF/BMP/TIFF image (a table posted as a picture) read by OCR as one page; the
    images of one page share a `cache`."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(body))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        return ScanContent(has_text_layer=False, problem=f"unreadable image: {error}"[:300])
    dpi = image.info.get("dpi", (RENDER_DPI, RENDER_DPI))[0] or RENDER_DPI
    return read_scanned_pages([image], first_page=page_number, dpi=float(dpi), cache=cache)
