"""A number whose ink is a whole digit wider than the digits OCR read is doubtful
(`ocr_tables._digits_dropped`): a dropped digit in a cell no identity checks (444 read 44 at 0.92
in a scanned table 二) must not pass as certain."""

from __future__ import annotations

from pipeline.extraction.attachments.ocr_tables import (
    DROPPED_DIGIT_CONFIDENCE,
    _digits_dropped,
)

HEIGHT = 20  # pixels of a digit's ink
DIGIT = 11  # pixels a digit takes in the line, at that height


def _table(readings: list[tuple[str, float, int]]) -> tuple[list, dict]:
    """Readings (text, confidence) and each one-line cell's ink (height, width) from
    (text, confidence, digits the ink is wide)."""
    return (
        [(text, confidence) for text, confidence, _ in readings],
        {index: (HEIGHT, DIGIT * wide) for index, (_, _, wide) in enumerate(readings)},
    )


def test_a_number_read_a_digit_short_of_its_ink_is_doubtful() -> None:
    readings, shapes = _table(
        [("12", 0.99, 2), ("305", 0.98, 3), ("47", 0.97, 2), ("44", 0.92, 3), ("0", 0.99, 1)]
    )
    checked = _digits_dropped(readings, shapes)
    assert checked[3] == ("44", DROPPED_DIGIT_CONFIDENCE)
    assert [reading for index, reading in enumerate(checked) if index != 3] == [
        reading for index, reading in enumerate(readings) if index != 3
    ]


def test_numbers_as_wide_as_their_digits_keep_their_confidence() -> None:
    readings, shapes = _table([("12", 0.99, 2), ("305", 0.98, 3), ("47", 0.97, 2), ("9", 0.95, 1)])
    assert _digits_dropped(readings, shapes) == readings


def test_a_table_with_too_few_numbers_to_measure_a_digit_is_left_as_read() -> None:
    readings, shapes = _table([("12", 0.99, 2), ("44", 0.92, 3), ("0", 0.99, 1)])
    assert _digits_dropped(readings, shapes) == readings
