"""A report's prose as sentences, and the share of them a report repeats from another.

What the cross-year repeat rule (`archive.cross_year`) compares and the fee rule
(`narrative_checks`) reads. Tables are not prose: a line with a tab or a `|` (a table row written
as text) is left out before the text is cut into sentences, and so is a short line with no
sentence punctuation (a cell, a heading) unless it continues a sentence the line before left
open (a PDF breaks prose into lines anywhere). Whitespace is removed (Chinese prose has none that matters, and PDFs break
lines mid-sentence), sentences end at 。！？, and sentences shorter than MIN_SENTENCE_CHARS ("无。",
"特此报告。") are ignored: every report may print those.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

MIN_SENTENCE_CHARS = 10
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_SENTENCE_MARKS = frozenset("。！？!?")
_PROSE_MARKS = _SENTENCE_MARKS | frozenset("，；：,;")
# A line this long is prose even without punctuation: cells and headings are shorter.
_LONG_LINE = 20


def _prose_lines(text: str) -> list[str]:
    kept: list[str] = []
    sentence_open = False
    for raw_line in text.splitlines():
        if "\t" in raw_line or "|" in raw_line:
            sentence_open = False
            continue
        # str.split and isdisjoint: the same whitespace as the regex \s and the same test as a
        # loop over the characters, at a third of the cost (every report's text is cut at each
        # publish, for the cross-year checks).
        line = "".join(raw_line.split())
        if not line:
            continue
        if sentence_open or len(line) >= _LONG_LINE or not _PROSE_MARKS.isdisjoint(line):
            kept.append(line)
            sentence_open = line[-1] not in _SENTENCE_MARKS
    return kept


def prose_sentences(text: str) -> list[str]:
    """The report's prose sentences, whitespace removed, in order (repeats kept)."""
    prose = "".join(_prose_lines(text))
    return [
        sentence for sentence in _SENTENCE_END.split(prose) if len(sentence) >= MIN_SENTENCE_CHARS
    ]


def repeated_share(sentences: Sequence[str], earlier: Collection[str]) -> float | None:
    """The share of the distinct `sentences` that `earlier` holds word for word (None when there
    are no sentences to compare)."""
    distinct = set(sentences)
    if not distinct:
        return None
    return len(distinct & set(earlier)) / len(distinct)
