"""Reports as agencies scan them: pages rasterised, skewed, blurred and JPEG-compressed.

A scanned report is the office PDF printed and fed through a scanner: a raster at about 150 dpi,
a little crooked, a little soft, saved as JPEG. `scan_pages` makes those pages from any PDF
rendering (the portal's reportlab PDF by default, `portal.formats`); `scan_pdf` packs them as an
image-only PDF (no text layer: each page one JPEG), `scan_html_page` puts them as PNG images in
the report's HTML page in place of its tables, the way table images are posted. Deterministic for
a seed: the same report scans the same way each time, so accuracy figures are reproducible.
"""

from __future__ import annotations

import io
import random

SCAN_DPI = 150
MAX_SKEW_DEGREES = 1.5
BLUR_RADIUS = 0.6
JPEG_QUALITY = 70


def skew_angles(seed: int, pages: int) -> list[float]:
    """The angle (degrees, counter-clockwise) `scan_pages` turns each of `pages` pages by."""
    chance = random.Random(seed)
    return [chance.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES) for _ in range(pages)]


def scan_pages(pdf: bytes, seed: int) -> list[object]:
    """Each page of `pdf` as a scanned grey image (PIL), skewed by up to ±1.5°, blurred, JPEG'd."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    pages: list[object] = []
    document = pdfium.PdfDocument(pdf)
    try:
        for index, angle in enumerate(skew_angles(seed, len(document))):
            page = document[index]
            try:
                image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            image = image.rotate(
                angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255
            )
            image = image.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=JPEG_QUALITY)
            pages.append(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))
    finally:
        document.close()
    return pages


def scan_pdf(pages: list[object]) -> bytes:
    """The scanned pages as an image-only PDF at the scan's resolution (JPEG-encoded pages)."""
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(  # type: ignore[attr-defined]
        buffer, "PDF", save_all=True, append_images=rest, resolution=float(SCAN_DPI), quality=80
    )
    return buffer.getvalue()


def png_bytes(page: object) -> bytes:
    """One scanned page as a PNG file (what a page posting the table as an image links)."""
    buffer = io.BytesIO()
    page.save(buffer, "PNG", optimize=False)  # type: ignore[attr-defined]
    return buffer.getvalue()
