"""Read the old 统计表 that many reports before 2019 printed (template `pre2019`).

Before the 2019 template there was no fixed table, but most agencies followed the same guidance:
one column of indicators (主动公开政府信息数, 收到申请数, 行政复议数量 …), a 单位 column and a 统计数
column. Rows are recognised by their indicator label, wherever they are (an HTML table, a PDF, a
tab-separated text rendering); the value is the first cell after the label that is not a unit.
维持/纠错/其他 rows belong to whichever of 行政复议 and 行政诉讼 was named last.

Provinces printed their own wording of the same indicators (Fujian's 指标名称 / 计量单位 / 本年度 /
历年累计 table: 主动公开文件数, 受理依申请公开信息总数, 对申请的答复总数, 否决公开答复数 …, some
without the trailing 数: 网站公开); those words are listed beside the national ones. Labels are not
tried with 数 appended in general: a group cell such as 行政复议 before its 行政复议数量 cell would
then be taken for the row, and the row lost. A row that lumps two indicators together
(信函、传真申请数) is not read as either.

Like the template tables, nothing is corrected: the printed text is kept beside the number, and a
row the agency did not print is a blank metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.extraction import keys, labels
from pipeline.extraction.report import Metric, Place
from pipeline.extraction.values import is_blank, is_null_marker, read_number, to_wan_yuan

# Indicator label cores (numbering and punctuation stripped, see labels.bare_core) -> key suffix.
_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "active.total",
        ("主动公开政府信息数", "主动公开政府信息总数", "主动公开信息数", "主动公开文件数"),
    ),
    ("active.normative", ("主动公开规范性文件数",)),
    ("normative.made", ("制发规范性文件总数", "制发规范性文件数")),
    ("active.gazette", ("政府公报公开政府信息数", "政府公报公开数", "政府公报公开")),
    ("active.website", ("政府网站公开政府信息数", "政府网站公开数", "网站公开数", "网站公开")),
    ("active.weibo", ("政务微博公开政府信息数",)),
    ("active.wechat", ("政务微信公开政府信息数",)),
    ("active.other_channels", ("其他方式公开政府信息数",)),
    ("response.hotspots", ("回应公众关注热点或重大舆情数",)),
    (
        "apply.received",
        (
            "收到申请数",
            "受理政府信息公开申请数",
            "受理申请数",
            "收到政府信息公开申请数",
            "受理依申请公开信息总数",
        ),
    ),
    ("apply.in_person", ("当面申请数",)),
    ("apply.fax", ("传真申请数",)),
    ("apply.online", ("网络申请数", "网上申请数")),
    ("apply.letter", ("信函申请数",)),
    ("apply.closed", ("申请办结数",)),
    ("apply.on_time", ("按时办结数",)),
    ("apply.extended", ("延期办结数",)),
    ("apply.answered", ("申请答复数", "对申请的答复总数", "对申请的答复数")),
    ("apply.already_public", ("属于已主动公开范围数",)),
    ("apply.granted", ("同意公开答复数",)),
    ("apply.partial", ("同意部分公开答复数",)),
    ("apply.denied", ("不同意公开答复数", "不予公开答复数", "否决公开答复数")),
    ("apply.not_this_agency", ("不属于本行政机关公开数",)),
    ("apply.not_exist", ("申请信息不存在数",)),
    ("apply.correction", ("告知作出更改补充数",)),
    ("apply.other_route", ("告知通过其他途径办理数",)),
    ("review.total", ("行政复议数量", "行政复议数", "政府信息公开行政复议数量")),
    ("litigation.total", ("行政诉讼数量", "行政诉讼数", "政府信息公开行政诉讼数量")),
    ("complaints.total", ("举报投诉数量", "举报投诉数")),
    ("fees.amount", ("依申请公开信息收取的费用", "依申请提供政府信息收取的费用")),
    ("staff.offices", ("政府信息公开工作专门机构数",)),
    ("staff.reading_points", ("设置政府信息公开查阅点数",)),
    ("staff.total", ("从事政府信息公开工作人员数",)),
    ("staff.full_time", ("专职人员数",)),
    ("staff.part_time", ("兼职人员数",)),
    ("budget.amount", ("政府信息公开专项经费",)),
    ("meetings.count", ("召开政府信息公开工作会议或专题会议数",)),
    ("training.sessions", ("举办各类培训班数",)),
    ("training.people", ("接受培训人员数",)),
)
# Outcome rows printed under both 行政复议 and 行政诉讼.
_OUTCOMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("upheld", ("维持具体行政行为数", "维持具体行政行为或者驳回原告诉讼请求数")),
    ("corrected", ("被依法纠错数",)),
    ("other", ("其他情形数",)),
)
_GROUPS = ("review", "litigation")
_MONEY = frozenset({"fees.amount", "budget.amount"})
_UNIT_CELLS = frozenset({"条", "件", "个", "次", "人", "人次", "万元", "元", "项", "篇", "期"})
# A label cell is the label plus a short note ("（不包括政府公报…）" is stripped by bare_core).
_SLACK = 4
_LEADING_WORDS = ("其中", "含")

_BY_WORD = {word: key for key, words in _ROWS for word in words}
_OUTCOME_BY_WORD = {word: outcome for outcome, words in _OUTCOMES for word in words}
# The table is "found" only when this many distinct indicators were read (one could be prose).
MIN_ROWS = 2


@dataclass
class Pre2019Result:
    """Metrics under `pre2019.*` (every key present once the table was found) and problems."""

    metrics: dict[str, Metric] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _label_key(cell: str) -> tuple[str | None, str | None]:
    """(row key, outcome) the cell names, either may be None."""
    core = labels.bare_core(cell)
    for word in _LEADING_WORDS:
        if core.startswith(word):
            # 其中：1.同意公开答复数: the numbering follows the leading word, where `bare_core`
            # (which strips numbering at the start) left it.
            core = core.removeprefix(word).lstrip("0123456789")
    if not core or len(core) > 40:
        return None, None
    for candidate in (core, core.rstrip("个件条人次")):
        if candidate in _BY_WORD:
            return _BY_WORD[candidate], None
        if candidate in _OUTCOME_BY_WORD:
            return None, _OUTCOME_BY_WORD[candidate]
    for word, key in _BY_WORD.items():
        if core.startswith(word) and len(core) - len(word) <= _SLACK:
            return key, None
    return None, None


def _value_cell(cells: Sequence[str]) -> tuple[str, str | None, int] | None:
    """(raw value, unit printed in its own cell, the value's position in `cells`) after a
    label, or None when none follows."""
    unit: str | None = None
    for position, text in enumerate(cells):
        stripped = labels.normalise(text)
        if stripped in _UNIT_CELLS:
            unit = stripped
            continue
        if is_blank(text) or is_null_marker(text) or read_number(text) is not None:
            return text.strip(), unit, position
        return None
    return None


def _metric(key: str, raw: str, unit: str | None) -> Metric:
    number = read_number(raw)
    if number is None:
        return Metric(key, None, raw)
    if key.removeprefix("pre2019.") in _MONEY:
        return Metric(key, to_wan_yuan(number, unit), raw)
    return Metric(key, number.value, raw)


def read_pre2019(
    rows: Sequence[Sequence[str | None]], places: Sequence[Sequence[Place | None]] | None = None
) -> Pre2019Result:
    """The old 统计表's indicators found in `rows`; no metrics when fewer than MIN_ROWS are found.
    `places` (PDFs): where each cell of `rows` was printed, so each metric says where it was."""
    result = Pre2019Result()
    found: dict[str, Metric] = {}
    group: str | None = None
    aligned = places is not None and len(places) == len(rows)
    for row_index, row in enumerate(rows):
        cells = [(cell or "").strip() for cell in row]
        row_places = places[row_index] if places is not None and aligned else None
        if row_places is not None and len(row_places) != len(cells):
            row_places = None
        for position, cell in enumerate(cells):
            if not cell or read_number(cell) is not None:
                continue
            row_key, outcome = _label_key(cell)
            if row_key is None and outcome is None:
                continue
            if row_key and row_key.split(".")[0] in _GROUPS:
                group = row_key.split(".")[0]
            if outcome is not None:
                if group is None:
                    break
                row_key = f"{group}.{outcome}"
            assert row_key is not None
            value = _value_cell(cells[position + 1 :])
            if value is None:
                break
            key = f"pre2019.{row_key}"
            raw, unit, offset = value
            if key in found:
                result.problems.append(f"pre2019: {key} printed twice, first one kept")
            else:
                place = row_places[position + 1 + offset] if row_places is not None else None
                found[key] = _metric(key, raw, unit).at(place)
            break
    if len(found) < MIN_ROWS:
        return Pre2019Result(problems=["no old-format statistical table"])
    missing = [key for key in keys.PRE2019_KEYS if key not in found]
    result.metrics = {key: found.get(key) or Metric(key, None, "") for key in keys.PRE2019_KEYS}
    if missing:
        result.problems.append(f"pre2019: {len(missing)} indicators not printed")
    return result
