"""Row labels printed with a typo: a dropped, an added, a changed or two swapped characters.

Agencies retype the template, and real tables carry labels such as 属于国秘密 or 保护第三方合法益权.
The rows of table 三 come in a fixed order, so the reader (`tables._find_labelled`) falls back to
this only for the row it expects next (or the one after), only when no label matched exactly, and
only for a cell followed by its numbers: there an edit distance of one (two for long labels) between
the cell and the template's words names the row. Short or ambiguous words (其他, 总计) never match
this way.
"""

from __future__ import annotations

from functools import lru_cache

# Words shorter than this are never matched with a typo (too many near neighbours).
MIN_WORD_CHARS = 4
# Words at least this long allow two edits.
LONG_WORD_CHARS = 9
# A cell longer than the word by more than this is prose, not a label (as for exact matches).
MAX_PREFIX_CHARS = 12


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts one); `limit + 1` once the
    distance is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=1 << 14)
def near_word(cell_core: str, words: tuple[str, ...]) -> bool:
    """Whether `cell_core` is one of `words` misspelt (the whole cell, or its end when a group
    label is merged in front)."""
    for word in words:
        if len(word) < MIN_WORD_CHARS or len(cell_core) > len(word) + MAX_PREFIX_CHARS:
            continue
        limit = 2 if len(word) >= LONG_WORD_CHARS else 1
        for length in range(len(word) - limit, len(word) + limit + 1):
            if length <= 0 or length > len(cell_core):
                continue
            if edit_distance(cell_core[-length:], word, limit) <= limit:
                return True
    return False
