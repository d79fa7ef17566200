"""The per-document cache of small cell crops (`ocr_crop_cache`): a crop whose ink matches an
exemplar's takes its reading; any other crop goes to the recogniser. Inks drawn with Pillow's
own font, as binarised crops of a scan are: boolean masks cut to their ink."""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeline.extraction.attachments.ocr_crop_cache import CropCache


def _ink(text: str) -> Any:
    """`text` drawn in black on white and cut to its ink, as the OCR reader cuts a cell's line."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (60, 30), 255)
    ImageDraw.Draw(image).text((4, 4), text, fill=0, font=ImageFont.load_default(size=16))
    mask = np.asarray(image) < 128
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def test_a_crop_like_an_exemplar_takes_its_reading_and_confidence() -> None:
    cache = CropCache()
    cache.add(_ink("0"), "0", 0.97)
    noisy = _ink("0").copy()
    noisy[0, 0] = not noisy[0, 0]  # JPEG noise: one pixel
    assert cache.lookup(noisy) == ("0", 0.97)
    assert cache.hits == 1


def test_a_different_digit_of_the_same_size_is_not_taken_for_the_exemplar() -> None:
    cache = CropCache()
    for digit in "0123456789":
        cache.add(_ink(digit), digit, 0.99)
    for digit in "0123456789":
        assert cache.lookup(_ink(digit)) == (digit, 0.99)


def test_an_unsure_reading_is_no_exemplar() -> None:
    cache = CropCache()
    cache.add(_ink("5"), "S", 0.55)
    assert cache.lookup(_ink("5")) is None


def test_wide_crops_are_not_cached() -> None:
    # On a label a differing character is a small part of the ink.
    cache = CropCache()
    wide = _ink("12345")
    assert wide.shape[1] > 30
    cache.add(wide, "12345", 0.99)
    assert cache.lookup(wide) is None
