"""The printed labels of the official report templates, and how a cell's text is compared to them.

The vocabulary follows the 2019 template (国办公开办函〔2019〕60号) and the 2021 template
(国办公开办函〔2021〕30号) word for word, with numbering, punctuation and quotes stripped, so that
`（三）不予公开 1.属于国家秘密`, `1、属于国家秘密` and `1. 属于国家秘密` all match the same row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipeline.extraction import keys
from pipeline.extraction.values import CACHED_TEXT_CHARS, cache_short_text

# Leading enumerations: 一、 （一） (1) 1. 1、 1． 第一 … (after NFKC, so parentheses are ASCII).
_NUMBERING_RE = re.compile(
    r"^(?:\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.)]|\d{1,2}(?=\D))"
)
_PUNCT_RE = re.compile(r"[\s\"'“”‘’「」『』、，,。.；;：:!！?？·/／]")
_PAREN_NOTE_RE = re.compile(r"\([^()]*\)")
# A note cut off by a line or page break: '(区分处理的,只计这一情形,不计其' at a label's end.
_OPEN_NOTE_RE = re.compile(r"\([^()]*$")
_WHITESPACE_RE = re.compile(r"\s+")
_MAX_VERDICTS = 1 << 14


@cache_short_text
def normalise(cell: str) -> str:
    """The cell text in a canonical form: NFKC (full-width → ASCII), no whitespace or nbsp."""
    text = unicodedata.normalize("NFKC", cell)
    return _WHITESPACE_RE.sub("", text).rstrip(":")


def numbering(cell: str) -> str:
    """The leading enumeration of a label ('(七)', '1.'), or '' when it has none."""
    match = _NUMBERING_RE.match(normalise(cell))
    return match.group(0) if match else ""


@cache_short_text
def core(cell: str) -> str:
    """The label without its numbering, punctuation and quotes: what the vocabulary is keyed on."""
    text = normalise(cell)
    # A row label can carry a group label in front when cells were merged: strip up to two.
    for _ in range(2):
        match = _NUMBERING_RE.match(text)
        if not match:
            break
        text = text[match.end() :]
    return _PUNCT_RE.sub("", text)


@cache_short_text
def bare_core(cell: str) -> str:
    """`core` without parenthesised notes such as （区分处理的，只计这一情形，不计其他情形），
    also when the note is cut off at the cell's end."""
    return _OPEN_NOTE_RE.sub("", _PAREN_NOTE_RE.sub("", core(cell)))


@dataclass(frozen=True)
class RowLabel:
    """One labelled row of a template table: its key stem, the words that name it, its columns."""

    key: str  # 'rules' (active) or 'denied.secret' (apply)
    words: tuple[str, ...]  # label cores, punctuation stripped
    columns: tuple[str, ...] = ()
    # Short words ('其他', '总计') that are also column headers match only when they are the next
    # expected row, and only when numbered or followed by a printed value.
    ambiguous: bool = False
    # A row the template does not print but some tables do (the hybrid （六）其他处理 of 2021):
    # recorded when found, neither missing nor blank-filled when not.
    optional: bool = False
    # Verdicts of `matches` by cell core: reports print the same few labels again and again.
    _verdicts: dict[str, bool] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def matches(self, cell: str) -> bool:
        """Whether `cell` names this row."""
        return self.matches_core(bare_core(cell))

    def matches_core(self, cell_core: str) -> bool:
        """Whether a cell whose `bare_core` is `cell_core` names this row."""
        known = self._verdicts.get(cell_core)
        if known is None:
            known = self._matches_core(cell_core)
            if len(cell_core) <= CACHED_TEXT_CHARS:
                if len(self._verdicts) >= _MAX_VERDICTS:
                    self._verdicts.clear()
                self._verdicts[cell_core] = known
        return known

    def _matches_core(self, cell_core: str) -> bool:
        if not cell_core:
            return False
        for word in self.words:
            if cell_core == word:
                return True
            if self.ambiguous:
                continue
            # Long cells are prose that happens to mention a label; a label cell is the label plus
            # at most a few characters (a unit, a merged group label).
            slack = len(cell_core) - len(word)
            if cell_core.startswith(word) and slack <= 6:
                return True
            if len(word) >= 4 and word in cell_core and slack <= 12:
                return True
        return False


# A label read with a typo: at most one edit per this many characters of the label (at least one).
CHARS_PER_EDIT = 8
# A label cut short must keep at least this share of its characters.
MIN_PREFIX_SHARE = 0.4


@cache_short_text
def _nearly_cached(pair: str) -> bool:
    cell_core, word = pair.rsplit("\x00", 1)  # a cell may hold NUL itself; a word never does
    if len(word) < 4 or len(cell_core) < 2:
        return False
    cut_short = len(cell_core) >= max(3, MIN_PREFIX_SHARE * len(word))
    if cut_short and word.startswith(cell_core):
        return True
    budget = max(1, len(word) // CHARS_PER_EDIT)
    if abs(len(cell_core) - len(word)) <= budget and edit_distance(cell_core, word) <= budget:
        return True
    # Both at once: a wrapped label's first line printed with a typo. Only a part long enough
    # to afford an edit at the same rate as a whole label.
    if not cut_short or len(cell_core) < CHARS_PER_EDIT or len(cell_core) >= len(word):
        return False
    return prefix_edit_distance(cell_core, word) <= len(cell_core) // CHARS_PER_EDIT


def nearly(cell_core: str, word: str) -> bool:
    """Whether a cell's core is `word` with a typo (few edits, an adjacent swap counting as one),
    `word` cut short (its first characters, at least `MIN_PREFIX_SHARE` of them), or cut short
    with a typo in what is printed."""
    return _nearly_cached(f"{cell_core}\x00{word}")


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    adjacent characters, each costing one."""
    return _distances_to_prefixes(a, b)[len(b)]


def prefix_edit_distance(a: str, b: str) -> int:
    """The least `edit_distance` from `a` to a prefix of `b` (`a` is `b`'s beginning, with typos)."""
    return min(_distances_to_prefixes(a, b))


def _distances_to_prefixes(a: str, b: str) -> list[int]:
    """`edit_distance(a, b[:j])` for every j from 0 to len(b): the last row of the alignment table."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous


_COUNTS_2019 = ("made", "published", "total")
_ITEMS_2019 = ("prev", "change", "decisions")
ACTIVE_ROWS_2019: tuple[RowLabel, ...] = (
    RowLabel("rules", ("规章",), _COUNTS_2019),
    RowLabel("normative", ("规范性文件", "行政规范性文件"), _COUNTS_2019),
    RowLabel("licensing", ("行政许可",), _ITEMS_2019),
    RowLabel("other_services", ("其他对外管理服务事项",), _ITEMS_2019),
    RowLabel("penalty", ("行政处罚",), _ITEMS_2019),
    RowLabel("coercion", ("行政强制",), _ITEMS_2019),
    RowLabel("fees", ("行政事业性收费",), ("prev", "change")),
    RowLabel("procurement", ("政府集中采购",), ("count", "amount")),
)
_COUNTS_2021 = ("issued", "repealed", "in_force")
ACTIVE_ROWS_2021: tuple[RowLabel, ...] = (
    RowLabel("rules", ("规章",), _COUNTS_2021),
    RowLabel("normative", ("行政规范性文件", "规范性文件"), _COUNTS_2021),
    RowLabel("licensing", ("行政许可",), ("decisions",)),
    RowLabel("penalty", ("行政处罚",), ("decisions",)),
    RowLabel("coercion", ("行政强制",), ("decisions",)),
    RowLabel("fees", ("行政事业性收费",), ("amount",)),
)
# Columns whose numbers are money, always stored in 万元.
AMOUNT_KEYS = frozenset({"active.procurement.amount", "active.fees.amount"})

_APPLY_WORDS: dict[str, tuple[str, ...]] = {
    "new": ("本年新收政府信息公开申请数量", "本年新收"),
    "carried_in": ("上年结转政府信息公开申请数量", "上年结转"),
    "granted": ("予以公开",),
    "partial": ("部分公开",),
    "denied.secret": ("属于国家秘密",),
    "denied.law": ("其他法律行政法规禁止公开",),
    "denied.safety": ("危及三安全一稳定",),
    "denied.third_party": ("保护第三方合法权益",),
    "denied.internal": ("属于三类内部事务信息",),
    "denied.process": ("属于四类过程性信息",),
    "denied.enforcement": ("属于行政执法案卷",),
    "denied.query": ("属于行政查询事项",),
    "unable.not_held": ("本机关不掌握相关政府信息",),
    "unable.need_create": ("没有现成信息需要另行制作",),
    "unable.unclear": ("补正后申请内容仍不明确",),
    "unprocessed.petition": ("信访举报投诉类申请",),
    "unprocessed.repeat": ("重复申请",),
    "unprocessed.publication": ("要求提供公开出版物",),
    "unprocessed.mass": ("无正当理由大量反复申请",),
    "unprocessed.confirm": ("要求行政机关确认或重新出具已获取信息",),
    "other": ("其他处理",),
    keys.APPLY_HYBRID_OTHER_ROW: ("其他处理",),
    "other.no_correction": (
        "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",
        "申请人无正当理由逾期不补正",
    ),
    "other.no_fee": (
        "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",
        "申请人逾期未按收费通知要求缴纳费用",
    ),
    "other.other": ("其他",),
    "total": ("总计", "合计"),
    "carried_out": ("结转下年度继续办理",),
}
_AMBIGUOUS_APPLY = frozenset({"other.other", "total"})


def _apply_rows(row_keys: tuple[str, ...]) -> tuple[RowLabel, ...]:
    return tuple(
        RowLabel(key, _APPLY_WORDS[key], keys.APPLY_COLUMNS, key in _AMBIGUOUS_APPLY)
        for key in row_keys
    )


# Group labels of table 三's rows (cores), printed in a merged cell to the left of the rows.
APPLY_GROUP_WORDS = ("本年度办理结果", "不予公开", "无法提供", "不予处理", "其他处理")


def is_group_label(cell_core: str) -> bool:
    """Whether a cell (by its `bare_core`) is a group label of table 三 or a cut piece of one."""
    return bool(cell_core) and any(
        word.startswith(cell_core) or cell_core.startswith(word) for word in APPLY_GROUP_WORDS
    )


APPLY_ROWS_2019 = _apply_rows(keys.APPLY_ROWS_2019)
_OTHER_AT = keys.APPLY_ROWS_2021.index("other.no_correction")
APPLY_ROWS_2021 = (
    *_apply_rows(keys.APPLY_ROWS_2021[:_OTHER_AT]),
    RowLabel(
        keys.APPLY_HYBRID_OTHER_ROW,
        _APPLY_WORDS[keys.APPLY_HYBRID_OTHER_ROW],
        keys.APPLY_COLUMNS,
        optional=True,
    ),
    *_apply_rows(keys.APPLY_ROWS_2021[_OTHER_AT:]),
)

ACTIVE_ROWS = {keys.TEMPLATE_2019: ACTIVE_ROWS_2019, keys.TEMPLATE_2021: ACTIVE_ROWS_2021}
APPLY_ROWS = {keys.TEMPLATE_2019: APPLY_ROWS_2019, keys.TEMPLATE_2021: APPLY_ROWS_2021}

# Header cells of table 三 (applicant columns), as cores.
APPLY_HEADER_WORDS = frozenset(
    {
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
        "法人小计",
        "小计",
    }
)
APPLY_ORG_HEADERS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
SUBTOTAL_HEADERS = frozenset({"法人小计", "小计", "法人或其他组织小计"})
# The bottom header word(s) over each column of table 三 (keys.APPLY_COLUMNS and the subtotal).
APPLY_COLUMN_HEADERS: dict[str, tuple[str, ...]] = {
    "natural": ("自然人",),
    **{
        column: (header,)
        for column, header in zip(keys.APPLY_ORG_COLUMNS, APPLY_ORG_HEADERS, strict=True)
    },
    "total": ("总计",),
    keys.APPLY_SUBTOTAL_COLUMN: tuple(sorted(SUBTOTAL_HEADERS)),
}

# Header cells of table 四; the 15 values follow the last of them.
REVIEW_HEADER_WORDS = frozenset(
    {
        "行政复议",
        "行政诉讼",
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
    }
)

# Header cores that only one template prints (table 二 column heads and table 三 row labels).
MARKERS_2019 = frozenset(
    {
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增减",
        "处理决定数量",
        "采购项目数量",
        "其他对外管理服务事项",
        "政府集中采购",
    }
)
MARKERS_2021 = frozenset(
    {
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",
        "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",
    }
)
MARKER_PREFIXES_2019 = ("采购总金额", "本年新制作", "本年新公开")
MARKER_PREFIXES_2021 = ("本年收费金额", "申请人无正当理由逾期不补正", "申请人逾期未按收费通知")


@cache_short_text
def template_votes(cell: str) -> tuple[int, int]:
    """(2019 votes, 2021 votes) a single cell casts for the template it belongs to."""
    cell_core = bare_core(cell)
    if not cell_core or len(cell_core) > 40:
        return 0, 0
    vote_2019 = cell_core in MARKERS_2019 or cell_core.startswith(MARKER_PREFIXES_2019)
    vote_2021 = cell_core in MARKERS_2021 or cell_core.startswith(MARKER_PREFIXES_2021)
    return int(vote_2019), int(vote_2021)


def unit_in_header(cell: str) -> str | None:
    """'万元' or '元' when a header cell states the unit of its column, else None."""
    text = normalise(cell)
    if "万元" in text:
        return "万元"
    if re.search(r"单位[:：]?元", text) or text.endswith("(元)"):
        return "元"
    return None


def is_amount_header(cell: str) -> bool:
    """Whether a header cell heads a money column (采购总金额, 本年收费金额)."""
    cell_core = bare_core(cell)
    return cell_core.startswith(("采购总金额", "本年收费金额", "收费金额"))
