"""Characters that print like a common Chinese character but are another code point, folded to it.

Text copied from browser-printed pages, and from PDFs whose fonts map glyphs back to the wrong
code points, carries Kangxi radicals (⽆ U+2F46 for 无, ⾏ U+2F8F for 行, ⼯ U+2F2F for 工) and CJK
compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) where the agency typed the ordinary
character. They look the same, but no label, regex or search matches them: the agency, the year and
the facts of such a report were lost. `fold_lookalikes` replaces each of them by its Unicode NFKC
form, the ordinary ideograph.

Why NFKC for these characters only, and not for the whole text: the cell readers already compare
under NFKC (`labels.normalise`, `values._canonical`: full-width digits, '，', '．', '＋' and
ideographic spaces become ASCII there), while the prose readers (`metadata`, `facts`) are written
against the full-width punctuation Chinese prose prints (`[^，。；]`), and a metric's `raw` keeps the
number as printed (２，７２７). Folding the look-alike ideographs once, where a document's text and
cells enter extraction (`extract.extract_document`), lets every reader see 无 and 行 and changes
nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from pipeline.extraction.attachments.base import PrintedWord

# Blocks holding characters whose NFKC form is one CJK ideograph: CJK radicals supplement and
# Kangxi radicals, CJK symbols, Kanbun, enclosed CJK letters, compatibility ideographs, enclosed
# ideographic supplement, compatibility ideographs supplement.
_BLOCKS = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3190, 0x319F),
    (0x3200, 0x32FF),
    (0xF900, 0xFAFF),
    (0x1F200, 0x1F2FF),
    (0x2F800, 0x2FA1F),
)


def _is_ideograph(text: str) -> bool:
    return len(text) == 1 and unicodedata.name(text, "").startswith("CJK UNIFIED IDEOGRAPH")


def _lookalikes() -> dict[int, str]:
    table: dict[int, str] = {}
    for first, last in _BLOCKS:
        for code in range(first, last + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code) and _is_ideograph(folded):
                table[code] = folded
    return table


def _class_of(codes: Iterable[int]) -> str:
    """A regex character class of `codes` as runs of consecutive code points: the 1,333
    look-alikes are 20 runs, and sre tests a class of a few ranges ≈ 25× faster per character
    than one listing every character (this search runs over every document's whole text)."""
    runs: list[list[int]] = []
    for code in sorted(codes):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in runs) + "]"


LOOKALIKES: dict[int, str] = _lookalikes()
_ANY_LOOKALIKE = re.compile(_class_of(LOOKALIKES))


def fold_lookalikes(text: str) -> str:
    """`text` with every look-alike ideograph replaced by the ordinary one (⽆ → 无)."""
    # Most documents hold none: a search is far cheaper than translating every character.
    if not _ANY_LOOKALIKE.search(text):
        return text
    return text.translate(LOOKALIKES)


def fold_rows(rows: Iterable[list[str]]) -> list[list[str]]:
    """Table rows with every cell folded by `fold_lookalikes`."""
    rows = list(rows)
    # One search over all the cells at once: most tables hold no look-alike, and a search per
    # cell cost more than the search of the whole text.
    if not _ANY_LOOKALIKE.search("\n".join("".join(row) for row in rows)):
        return [list(row) for row in rows]
    return [list(_folded_cells(row)) for row in rows]


def _folded_cells(row: list[str]) -> Iterator[str]:
    for cell in row:
        yield fold_lookalikes(cell) if cell else cell


def fold_words(lines: Sequence[Sequence[PrintedWord]]) -> list[list[PrintedWord]]:
    """A text layer's lines with every word folded by `fold_lookalikes`, places kept."""
    if not _ANY_LOOKALIKE.search("\n".join("".join(text for text, _ in line) for line in lines)):
        return [list(line) for line in lines]
    return [[(fold_lookalikes(text), place) for text, place in line] for line in lines]
