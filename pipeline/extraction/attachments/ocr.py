"""The OCR engine: RapidOCR's PP-OCRv4 Chinese models (shipped inside the `rapidocr-onnxruntime`
wheel, never downloaded), on one CPU thread.

One call: `recognise` reads cropped single-line images (the lines of table cells and of the
prose around the tables, cut by `ocr_tables`); the engine's text detection is not used.
The engine is built once per process, lazily: importing this module costs nothing, and a process
that never meets a scan never loads onnxruntime. Why this engine and not another: docs/ocr.md.
"""

from __future__ import annotations

from functools import cache
from typing import Any

ENGINE_NAME = "rapidocr-onnxruntime 1.4.4 (PP-OCRv4)"
# Below this a number read by OCR is doubtful: the report page and the bench flag it.
LOW_CONFIDENCE = 0.8
# Text lines scored below this by the recogniser are noise (specks, stamps, ruling fragments).
MIN_LINE_SCORE = 0.3
# The recogniser pads every batch of crops to at least 320 × 48 px (width ÷ height 6.7, PaddleOCR's
# own rule). Three quarters of a table's crops are numbers of one to three digits, and padding a
# lone 0 to 320 px made it cost as much as a label. Crops are padded (with the same grey) only to
# MIN_PAD_RATIO, or their batch's widest: see docs/ocr.md for what was measured. White padding,
# or padding to ratio 2, read some lone 0s as o or 。.
MIN_PAD_RATIO = 4.0
# The lone-character rule above is for crops narrower than NARROW_RATIO (a digit or two, one
# ideograph); wider crops (short labels: 总计, 结果维) are padded only to LABEL_PAD_RATIO: on 100
# such crops of 2 reports every reading and every score above 0.8 stayed, at 0.7 of the cost.
# Cut at 1.2 or padded to 3, a 形） already doubtful fell further or a score fell under 0.8.
NARROW_RATIO = 1.5
LABEL_PAD_RATIO = 2.5
# Crops go to the model this many at a time. Batching saves nothing on one CPU thread: per crop a
# batch of 6 cost 30–50 % more than crops one by one (192 to 1,300 px wide, measured), and a batch
# pads every crop to its widest, so a label batched with a prose line cost as much as the line.
BATCH_SIZE = 1


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # One thread: extraction runs one document per worker process, so the workers use the cores.
    return RapidOCR(
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        use_cls=False,  # scans are upright: the angle classifier cost 15 % and changed nothing
    )


def available() -> str | None:
    """None when the engine can be loaded, else why not (a missing package)."""
    try:
        _engine()
    except ImportError as error:
        return f"OCR engine missing: {error}"
    return None


def _pad_ratio(ratio: float) -> float:
    """The width ÷ height a crop of this width ÷ height is padded to."""
    return max(MIN_PAD_RATIO if ratio < NARROW_RATIO else LABEL_PAD_RATIO, ratio)


def recognise(crops: list[Any]) -> list[tuple[str, float]]:
    """Text and score of each single-line crop (H×W×3 uint8 arrays), in order.

    The recogniser's own steps (resize and normalise, the model, CTC decoding), on batches of
    crops padded to `_pad_ratio` rather than its 320 px minimum, BATCH_SIZE at a time."""
    import numpy as np

    recogniser = _engine().text_rec
    ratios = [crop.shape[1] / crop.shape[0] for crop in crops]
    order = sorted(range(len(crops)), key=ratios.__getitem__)
    readings: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    size = BATCH_SIZE
    for start in range(0, len(order), size):
        batch = order[start : start + size]
        pad_ratio = max(_pad_ratio(ratios[i]) for i in batch)
        images = np.stack([recogniser.resize_norm_img(crops[i], pad_ratio) for i in batch])
        predictions = recogniser.session(images.astype(np.float32))[0]
        decoded = recogniser.postprocess_op(
            predictions, False, wh_ratio_list=[ratios[i] for i in batch], max_wh_ratio=pad_ratio
        )
        for index, (text, score) in zip(batch, decoded, strict=True):
            readings[index] = (str(text), float(score))
    return readings
