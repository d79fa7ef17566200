"""The official statistical tables of both templates as a neutral grid, for every renderer.

The labels are written here from the official templates (国务院办公厅政府信息公开办公室's 2019 and
2021 formats), independently of the extractor, so the sample portal tests extraction rather than
echoing it. A table is a list of rows of `Cell`s with rowspan/colspan, which the HTML, PDF and DOCX
renderers lay out each in their own way.

A report can leave rows out (`omit`: row keys such as "active.coercion" or "apply.denied.query",
the prefix of the row's metric keys), as agencies do that print an older or trimmed form: the row
is not printed at all and the spans of its group close over it. Table 四 prints its three rows or
none ("review", "litigation.direct" and "litigation.after_review" omitted together).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.extraction.keys import TEMPLATE_2021

CellText = Callable[[str], str]  # metric key -> what the cell prints
Omitted = frozenset[str]  # row keys not printed
REVIEW_ROWS = frozenset({"review", "litigation.direct", "litigation.after_review"})


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    label: bool = True  # False for a number cell


@dataclass(frozen=True)
class Table:
    heading: str  # the section heading printed above the table
    columns: int
    rows: list[list[Cell]]


def _values(cell_text: CellText, keys: list[str]) -> list[Cell]:
    return [Cell(cell_text(key), label=False) for key in keys]


# -- 二、主动公开政府信息情况 --


def _kept(omit: Omitted, row_key: str, row: list[Cell]) -> list[list[Cell]]:
    """`[row]`, or no row when `row_key` is omitted."""
    return [] if row_key in omit else [row]


def _active_2019(cell_text: CellText, omit: Omitted) -> Table:
    made = ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    counted = ["上一年项目数量", "本年增/减", "处理决定数量"]

    def row(label: str, prefix: str, suffixes: tuple[str, ...]) -> list[list[Cell]]:
        cells = [Cell(label), *_values(cell_text, [f"active.{prefix}.{s}" for s in suffixes])]
        return _kept(omit, f"active.{prefix}", cells)

    rows = [
        [Cell("第二十条第（一）项", colspan=4)],
        [Cell("信息内容"), *(Cell(h) for h in made)],
        *row("规章", "rules", ("made", "published", "total")),
        *row("规范性文件", "normative", ("made", "published", "total")),
        [Cell("第二十条第（五）项", colspan=4)],
        [Cell("信息内容"), *(Cell(h) for h in counted)],
        *row("行政许可", "licensing", ("prev", "change", "decisions")),
        *row("其他对外管理服务事项", "other_services", ("prev", "change", "decisions")),
        [Cell("第二十条第（六）项", colspan=4)],
        [Cell("信息内容"), *(Cell(h) for h in counted)],
        *row("行政处罚", "penalty", ("prev", "change", "decisions")),
        *row("行政强制", "coercion", ("prev", "change", "decisions")),
        [Cell("第二十条第（八）项", colspan=4)],
        [Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减", colspan=2)],
        *_kept(
            omit,
            "active.fees",
            [
                Cell("行政事业性收费"),
                Cell(cell_text("active.fees.prev"), label=False),
                Cell(cell_text("active.fees.change"), colspan=2, label=False),
            ],
        ),
        [Cell("第二十条第（九）项", colspan=4)],
        [Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", colspan=2)],
        *_kept(
            omit,
            "active.procurement",
            [
                Cell("政府集中采购"),
                Cell(cell_text("active.procurement.count"), label=False),
                Cell(cell_text("active.procurement.amount"), colspan=2, label=False),
            ],
        ),
    ]
    return Table("二、主动公开政府信息情况", 4, rows)


def _active_2021(cell_text: CellText, omit: Omitted) -> Table:
    def single(label: str, key: str) -> list[list[Cell]]:
        row = [Cell(label), Cell(cell_text(key), colspan=3, label=False)]
        return _kept(omit, key.rsplit(".", 1)[0], row)

    rows = [
        [Cell("第二十条第（一）项", colspan=4)],
        [Cell("信息内容"), Cell("本年制发件数"), Cell("本年废止件数"), Cell("现行有效件数")],
        *_kept(
            omit,
            "active.rules",
            [
                Cell("规章"),
                *_values(
                    cell_text,
                    ["active.rules.issued", "active.rules.repealed", "active.rules.in_force"],
                ),
            ],
        ),
        *_kept(
            omit,
            "active.normative",
            [
                Cell("行政规范性文件"),
                *_values(
                    cell_text,
                    [
                        "active.normative.issued",
                        "active.normative.repealed",
                        "active.normative.in_force",
                    ],
                ),
            ],
        ),
        [Cell("第二十条第（五）项", colspan=4)],
        [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)],
        *single("行政许可", "active.licensing.decisions"),
        [Cell("第二十条第（六）项", colspan=4)],
        [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)],
        *single("行政处罚", "active.penalty.decisions"),
        *single("行政强制", "active.coercion.decisions"),
        [Cell("第二十条第（八）项", colspan=4)],
        [Cell("信息内容"), Cell("本年收费金额（单位：万元）", colspan=3)],
        *single("行政事业性收费", "active.fees.amount"),
    ]
    return Table("二、主动公开政府信息情况", 4, rows)


# -- 三、收到和处理政府信息公开申请情况 --

_DENIED = (
    ("secret", "1．属于国家秘密"),
    ("law", "2．其他法律行政法规禁止公开"),
    ("safety", "3．危及“三安全一稳定”"),
    ("third_party", "4．保护第三方合法权益"),
    ("internal", "5．属于三类内部事务信息"),
    ("process", "6．属于四类过程性信息"),
    ("enforcement", "7．属于行政执法案卷"),
    ("query", "8．属于行政查询事项"),
)
_UNABLE = (
    ("not_held", "1．本机关不掌握相关政府信息"),
    ("need_create", "2．没有现成信息需要另行制作"),
    ("unclear", "3．补正后申请内容仍不明确"),
)
_UNPROCESSED = (
    ("petition", "1．信访举报投诉类申请"),
    ("repeat", "2．重复申请"),
    ("publication", "3．要求提供公开出版物"),
    ("mass", "4．无正当理由大量反复申请"),
    ("confirm", "5．要求行政机关确认或重新出具已获取信息"),
)
_OTHER_2021 = (
    ("no_correction", "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("no_fee", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3．其他"),
)
_APPLY_COLUMNS = ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")


def _apply(template: str, cell_text: CellText, omit: Omitted, single_other: bool) -> Table:
    def numbers(row: str) -> list[Cell]:
        return _values(cell_text, [f"apply.{row}.{c}" for c in _APPLY_COLUMNS])

    def labelled(label: Cell, row: str) -> list[list[Cell]]:
        return _kept(omit, f"apply.{row}", [label, *numbers(row)])

    def group(heading: str, prefix: str, items: tuple[tuple[str, str], ...]) -> list[list[Cell]]:
        printed = [(s, label) for s, label in items if f"apply.{prefix}.{s}" not in omit]
        rows = []
        for index, (suffix, label) in enumerate(printed):
            head = [Cell(heading, rowspan=len(printed))] if index == 0 else []
            rows.append([*head, Cell(label), *numbers(f"{prefix}.{suffix}")])
        return rows

    if single_other:  # a 2021 table printing the 2019 form's one row: keys `apply.other.single.*`
        other_rows = labelled(Cell("（六）其他处理", colspan=2), "other.single")
    elif template == TEMPLATE_2021:
        other_rows = group("（六）其他处理", "other", _OTHER_2021)
    else:
        other_rows = labelled(Cell("（六）其他处理", colspan=2), "other")
    result_rows = [
        *labelled(Cell("（一）予以公开", colspan=2), "granted"),
        *labelled(
            Cell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2), "partial"
        ),
        *group("（三）不予公开", "denied", _DENIED),
        *group("（四）无法提供", "unable", _UNABLE),
        *group("（五）不予处理", "unprocessed", _UNPROCESSED),
        *other_rows,
        *labelled(Cell("（七）总计", colspan=2), "total"),
    ]
    if result_rows:
        result_rows[0] = [Cell("三、本年度办理结果", rowspan=len(result_rows)), *result_rows[0]]
    rows = [
        [
            Cell(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                rowspan=3,
                colspan=3,
            ),
            Cell("申请人情况", colspan=7),
        ],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [
            Cell("商业企业"),
            Cell("科研机构"),
            Cell("社会公益组织"),
            Cell("法律服务机构"),
            Cell("其他"),
        ],
        *labelled(Cell("一、本年新收政府信息公开申请数量", colspan=3), "new"),
        *labelled(Cell("二、上年结转政府信息公开申请数量", colspan=3), "carried_in"),
        *result_rows,
        *labelled(Cell("四、结转下年度继续办理", colspan=3), "carried_out"),
    ]
    return Table("三、收到和处理政府信息公开申请情况", 10, rows)


# -- 四、政府信息公开行政复议、行政诉讼情况 --

_OUTCOMES = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


def _review(cell_text: CellText) -> Table:
    groups = ("review", "litigation.direct", "litigation.after_review")
    rows = [
        [Cell("行政复议", rowspan=2, colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(label) for _ in groups for _, label in _OUTCOMES],
        [Cell(cell_text(f"{g}.{o}"), label=False) for g in groups for o, _ in _OUTCOMES],
    ]
    return Table("四、政府信息公开行政复议、行政诉讼情况", 15, rows)


def report_tables(
    template: str, cell_text: CellText, omit: Omitted = frozenset(), single_other: bool = False
) -> list[Table]:
    """Tables 二, 三 and 四 of `template` ("2019" or "2021"), cells filled by `cell_text(key)`,
    without the rows in `omit`. `single_other` prints （六）其他处理 as one row, as the 2019 form
    does, whatever the template (the hybrid tables some agencies print)."""
    if omit & REVIEW_ROWS and not REVIEW_ROWS <= omit:
        raise ValueError("table 四 prints its three rows or none")
    if template == TEMPLATE_2021:
        active = _active_2021(cell_text, omit)
    else:
        active = _active_2019(cell_text, omit)
    tables = [active, _apply(template, cell_text, omit, single_other)]
    if not REVIEW_ROWS <= omit:
        tables.append(_review(cell_text))
    return tables


def grid(table: Table) -> list[list[Cell | None]]:
    """The table as a full rectangle: each cell at its top-left slot, None where a span covers."""
    height = len(table.rows)
    slots: list[list[Cell | None | bool]] = [[False] * table.columns for _ in range(height)]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while slots[r][c] is not False:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    slots[r + dr][c + dc] = None
            slots[r][c] = cell
            c += cell.colspan
    return [[s if isinstance(s, Cell) else None for s in row] for row in slots]
