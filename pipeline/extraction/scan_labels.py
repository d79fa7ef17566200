"""Row labels of a scanned table put right before the table reader sees them.

OCR misreads a character of a long label now and then (途期 for 逾期, 机美 for 机关) and drops a
closing bracket at the end of a wrapped line; the table reader matches labels by their words, so
one wrong character loses the whole row. A scanned cell whose label core is within a small edit
distance of one word of the templates' vocabulary (`labels`) is replaced by that word, with its
numbering kept; a missing closing bracket is restored. Numbers are never touched.
"""

from __future__ import annotations

from functools import cache

from pipeline.extraction import labels
from pipeline.extraction.values import read_number

# Edits allowed per this many characters of the word (at least one edit for words this long):
# two for the long labels of table 三 (补正后申请内容仍不明确 read 补正后中请内客仍不明确 lost its
# row at one). The closest two words of ten characters or more are three edits apart.
CHARS_PER_EDIT = 5
MIN_WORD_CHARS = 4


@cache
def _vocabulary() -> tuple[str, ...]:
    rows = (
        *labels.ACTIVE_ROWS_2019,
        *labels.ACTIVE_ROWS_2021,
        *labels.APPLY_ROWS_2019,
        *labels.APPLY_ROWS_2021,
    )
    words = {word for row in rows for word in row.words}
    words |= labels.APPLY_HEADER_WORDS | labels.REVIEW_HEADER_WORDS
    words |= labels.MARKERS_2019 | labels.MARKERS_2021
    return tuple(sorted(word for word in words if len(word) >= MIN_WORD_CHARS))


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _closed(cell: str) -> str:
    """The cell with the closing brackets OCR lost at the end of a wrapped label put back."""
    missing = cell.count("（") - cell.count("）")
    missing_ascii = cell.count("(") - cell.count(")")
    return cell + "）" * max(missing, 0) + ")" * max(missing_ascii, 0)


@cache
def snapped_label(cell: str) -> str:
    """The scanned cell's text, its label replaced by the template word it misspells."""
    if not cell or read_number(cell) is not None:
        return cell
    cell = _closed(cell)
    core = labels.bare_core(cell)
    if len(core) < MIN_WORD_CHARS or core in _vocabulary():
        return cell
    best, best_distance, tied = None, None, False
    for word in _vocabulary():
        limit = max(1, len(word) // CHARS_PER_EDIT)
        distance = _distance(core, word, limit)
        if distance > limit:
            continue
        if best_distance is None or distance < best_distance:
            best, best_distance, tied = word, distance, False
        elif distance == best_distance:
            tied = True
    if best is None or best_distance == 0 or tied:
        return cell  # as near to two words as to one: not ours to choose
    return labels.numbering(cell) + best


def snap_rows(rows: list[list[str]]) -> list[list[str]]:
    """Every cell of the scanned rows through `snapped_label`."""
    return [[snapped_label(cell) for cell in row] for row in rows]
