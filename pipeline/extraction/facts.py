"""Figures a report states in prose ("网站发布信息402条"), each with its sentence as evidence.

Narrative-only reports (self-inspections, pre-2019 reports, pages whose tables are images) carry
their numbers here and nowhere else. Patterns are deliberately narrow: a missed figure costs less
than a wrong one, and every fact keeps the sentence so a reader can check it.

Each kind of fact is an entry of one table, `_PATTERNS` (its regexes, the words they need, its
unit and how a match becomes a value), read by one loop. Publishing counts are read apart
(`_publishing_facts`): their kind depends on the channel named before them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.extraction.report import Fact

_MAX_TEXT = 400_000
_MAX_SENTENCE = 300
_ARABIC = r"(\d[\d,，]*(?:\.\d+)?)"
_CN_NUMBER = r"([一二两三四五六七八九十百]+)"
_NUMBER = rf"(?:{_ARABIC}|{_CN_NUMBER})"
_ABOUT = r"\s*(?:余|多)?\s*"
_CN_VALUES = dict(zip("一二两三四五六七八九", (1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])|\n+")
_SPACES_BUT_NEWLINE = re.compile(r"[^\S\n]+")
# Written to start with the space so that the regex engine can jump from space to space.
_SPACE_NEXT_TO_WIDE = re.compile(r" (?:(?<=[^\x00-\x7f] )|(?=[^\x00-\x7f]))")
_GAP = r"[^。；，,\d]{0,16}?"

# Where a publishing verb counts items, the nearest channel named before it says whose items.
_PUBLISH = re.compile(
    rf"(?:发布|公开|更新|推送|发送)[^。；\d]{{0,16}}?{_ARABIC}{_ABOUT}(万)?\s*(条|篇)"
)
_CHANNELS = (
    ("website", re.compile(r"网站|门户|网页|政府网")),
    ("new_media", re.compile(r"新媒体|微信|微博|公众号|抖音|头条|客户端|视频号|政务号")),
    ("other", re.compile(r"公开栏|显示屏|公报|报纸|电视|广播|热线")),
)
_CHANNEL_WINDOW = 40
_BREAKDOWN_CLAUSE = re.compile(rf"{_ARABIC}{_ABOUT}(条|篇)$")
_WEBSITE_CATEGORIES = (
    ("key_areas", "重点领域"),
    ("interpretation", "解读"),
    ("budget", "预决算|财政|三公"),
    ("news", "动态|新闻|要闻"),
    ("catalogue", "目录"),
    ("overview", "概况"),
    ("notices", "通知|公告"),
    ("policy", "政策|文件"),
)


@dataclass(frozen=True)
class _FactPattern:
    """One kind of fact and how prose states it."""

    kind: str
    unit: str
    # Words a sentence must hold, all of them, for a regex to match: a sentence without is skipped.
    needs: frozenset[str]
    regexes: tuple[re.Pattern[str], ...]
    zero: bool = False  # the regexes state a zero ("未发生…行政复议"), not a figure
    # The first figure found is the total and later ones ("其中微信191个") its breakdown.
    first_only: bool = False
    unit_in_wan: str | None = None  # the unit of a figure printed in 万 (ten thousands)


def _none_happened(cases: str) -> re.Pattern[str]:
    """No `cases` happened ("未发生…行政复议"): a zero stated as plainly as a number is."""
    return re.compile(rf"(?:未|没有)(?:发生|出现|收到)[^，。；\d]{{0,20}}?{cases}")


_PATTERNS = (
    _FactPattern(
        "new_media.accounts",
        "个",
        frozenset({"个"}),
        (
            re.compile(rf"(?:新媒体|公众号|微博|政务号|账号)[^。；，\d]{{0,8}}?{_NUMBER}\s*个"),
            re.compile(
                rf"开设[^。；\d]{{0,8}}?{_NUMBER}\s*个[^。；]{{0,6}}?(?:新媒体|公众号|账号|微博)"
            ),
        ),
        first_only=True,
    ),
    _FactPattern(
        "review.received",
        "件",
        frozenset({"行政复议"}),
        (re.compile(rf"行政复议(?:申请|案件)?{_GAP}{_NUMBER}{_ABOUT}(?:件|起|宗|个)"),),
    ),
    _FactPattern(
        "litigation.received",
        "件",
        frozenset({"行政诉讼"}),
        (re.compile(rf"行政诉讼(?:案件)?{_GAP}{_NUMBER}{_ABOUT}(?:件|起|宗|个)"),),
    ),
    _FactPattern(
        "apply.received",
        "件",
        frozenset({"申请"}),
        (
            re.compile(
                rf"(?:收到|受理|接收|接到)[^。；\d复诉]{{0,16}}?申请[^。；\d复诉]{{0,12}}?"
                rf"{_ARABIC}{_ABOUT}(?:件|个|宗|份|条)"
            ),
        ),
    ),
    _FactPattern(
        "training.sessions",
        "次",
        frozenset({"培训"}),
        (
            re.compile(
                rf"(?:培训{_GAP}{_NUMBER}\s*(?:次|场|期|批)|"
                rf"(?:举办|开展|组织|召开)[^。；，\d]{{0,8}}?{_NUMBER}\s*(?:次|场|期|批)[^。；，]{{0,12}}?培训)"
            ),
        ),
    ),
    _FactPattern(
        "training.people",
        "人",
        frozenset({"培训"}),
        (re.compile(rf"培训[^。；]{{0,24}}?{_ARABIC}{_ABOUT}(?:人次|人|名)"),),
    ),
    _FactPattern(
        "fees.amount",
        "元",
        frozenset({"收取", "元"}),
        (re.compile(rf"收取[^。；\d]{{0,12}}?{_ARABIC}\s*(万)?元"),),
        unit_in_wan="万元",
    ),
    _FactPattern(
        "rate.completion",
        "%",
        frozenset({"率"}),
        (re.compile(rf"(?:按时办结率|办结率|完成率|答复率)[^。；\d]{{0,6}}?{_ARABIC}\s*[%％]"),),
    ),
    _FactPattern(
        "rate.satisfaction",
        "%",
        frozenset({"满意率"}),
        (re.compile(rf"满意率[^。；\d]{{0,6}}?{_ARABIC}\s*[%％]"),),
    ),
    # Zeros stated in words, after the figures (a figure found first keeps its unit).
    _FactPattern(
        "review.received",
        "件",
        frozenset({"行政复议"}),
        (_none_happened("行政复议"),),
        zero=True,
    ),
    _FactPattern(
        "litigation.received",
        "件",
        frozenset({"行政诉讼"}),
        (_none_happened("行政诉讼"),),
        zero=True,
    ),
    _FactPattern(
        "fees.amount",
        "元",
        frozenset({"费用"}),
        (re.compile(r"未(?:收取|收)[^，。；\d]{0,6}?(?:任何)?费用"),),
        zero=True,
    ),
)
# A publishing verb's count needs 条 or 篇 (either) after it: `_publishing_facts` reads those.
_PUBLISH_NEEDS = frozenset({"条", "篇"})
_NEEDED_WORDS = _PUBLISH_NEEDS.union(*(pattern.needs for pattern in _PATTERNS))


def _value(arabic: str | None, chinese: str | None) -> float | None:
    if arabic:
        try:
            return float(arabic.replace(",", "").replace("，", ""))
        except ValueError:
            return None
    if not chinese:
        return None
    # Small counts only ("两次", "十二期"): 十 at the start means ten, in the middle times ten.
    if "百" in chinese:
        return None
    if "十" in chinese:
        tens_part, _, units_part = chinese.partition("十")
        tens = _CN_VALUES.get(tens_part, 0) if tens_part else 1
        units = _CN_VALUES.get(units_part, 0) if units_part else 0
        return float(tens * 10 + units) if tens else None
    return float(_CN_VALUES[chinese]) if chinese in _CN_VALUES else None


def _figure(groups: tuple[str | None, ...]) -> float | None:
    """The number a match captured: its Arabic figure, else its Chinese numeral."""
    arabic = next((g for g in groups if g and g[0].isdigit()), None)
    chinese = next((g for g in groups if g and g[0] in "一二两三四五六七八九十"), None)
    return _value(arabic, chinese)


def sentences(text: str) -> Iterator[str]:
    """Sentences of `text`, whitespace collapsed, spaces inside Chinese text removed."""
    # Cleaning the whole text at once gives each sentence what cleaning it alone would: newlines
    # (sentence breaks) are kept, and a space at a sentence's edge goes either way.
    text = _SPACES_BUT_NEWLINE.sub(" ", text[:_MAX_TEXT])
    text = _SPACE_NEXT_TO_WIDE.sub("", text)
    for piece in _SENTENCE_END.split(text):
        sentence = piece.strip()
        if sentence:
            yield sentence


def _channel(sentence: str, position: int) -> str | None:
    """The channel named closest before `position`, within a short window."""
    window_start = max(0, position - _CHANNEL_WINDOW)
    best: tuple[int, str] | None = None
    for name, pattern in _CHANNELS:
        for match in pattern.finditer(sentence, window_start, position + 2):
            if best is None or match.start() >= best[0]:
                best = (match.start(), name)
    return best[1] if best else None


def _website_category(clause: str) -> str:
    for name, pattern in _WEBSITE_CATEGORIES:
        if re.search(pattern, clause):
            return f"website.items.{name}"
    return "website.items.other"


def _website_breakdown(sentence: str, after: int) -> Iterator[Fact]:
    """The "其中…N条, …M条" clauses following a website total, as per-category counts."""
    breakdown_at = sentence.find("其中", after)
    if breakdown_at < 0:
        return
    for clause in re.split(r"[，,；;]", sentence[breakdown_at + 2 :].rstrip("。！？!? ")):
        match = _BREAKDOWN_CLAUSE.search(clause)
        if match:
            value = float(match.group(1).replace(",", ""))
            yield Fact(_website_category(clause), value, match.group(2), sentence)


def _publishing_facts(sentence: str) -> Iterator[Fact]:
    """The first website total and the first new-media total of a sentence, with breakdowns."""
    seen: set[str] = set()
    for match in _PUBLISH.finditer(sentence):
        channel = _channel(sentence, match.start())
        if channel not in ("website", "new_media") or channel in seen:
            continue
        if "其中" in sentence[: match.start()] and seen:
            break  # a breakdown of a total already taken
        seen.add(channel)
        value = float(match.group(1).replace(",", "").replace("，", ""))
        if match.group(2):
            value *= 10_000
        kind = "website.items" if channel == "website" else "new_media.posts"
        yield Fact(kind, value, match.group(3), sentence)
        if channel == "website":
            yield from _website_breakdown(sentence, match.end())


def _figures(pattern: _FactPattern, sentence: str) -> Iterator[tuple[float, str]]:
    """The values (with their units) `pattern` finds in `sentence`, in the order found."""
    for regex in pattern.regexes:
        # A zero is stated once; a total is the first figure of a regex, or of the next one.
        found = (
            (regex.search(sentence),)
            if pattern.zero or pattern.first_only
            else regex.finditer(sentence)
        )
        for match in found:
            if match is None:
                continue
            groups = match.groups()
            value = 0.0 if pattern.zero else _figure(groups)
            if value is None:
                continue
            in_wan = pattern.unit_in_wan if "万" in groups else None
            yield value, in_wan or pattern.unit
            if pattern.first_only:
                return


def find_facts(text: str) -> list[Fact]:
    """Every figure the patterns recognise, in text order, without duplicates."""
    facts: list[Fact] = []
    seen: set[tuple[str, float, str]] = set()

    def add(fact: Fact) -> None:
        if (fact.kind, fact.value, fact.sentence) not in seen:
            seen.add((fact.kind, fact.value, fact.sentence))
            facts.append(fact)

    for sentence in sentences(text):
        # Each pattern needs words of its own (its `needs`): skip the ones that cannot match.
        present = {word for word in _NEEDED_WORDS if word in sentence}
        if not present:
            continue
        evidence = sentence[:_MAX_SENTENCE]
        if not present.isdisjoint(_PUBLISH_NEEDS):
            for fact in _publishing_facts(sentence):
                add(Fact(fact.kind, fact.value, fact.unit, evidence))
        for pattern in _PATTERNS:
            if present.issuperset(pattern.needs):
                for value, unit in _figures(pattern, sentence):
                    add(Fact(pattern.kind, value, unit, evidence))
    return facts
