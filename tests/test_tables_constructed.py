"""read_tables on rows written by hand from the official template wording.

Values come from a generator (a distinct number per cell), so a cell read into the wrong key
shows up as a wrong number. The labels below are typed from the templates (国办公开办函〔2019〕60号
and 〔2021〕30号), not taken from pipeline/labels.py.
"""

from __future__ import annotations

import random

from pipeline.extraction import keys
from pipeline.extraction.tables import read_tables

APPLY_HEADER = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]
# (cells printed before the values, row key); group labels sit in the first row of their group.
APPLY_LABELS_HEAD = [
    (["一、本年新收政府信息公开申请数量"], "new"),
    (["二、上年结转政府信息公开申请数量"], "carried_in"),
    (["三、本年度办理结果", "（一）予以公开"], "granted"),
    (["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], "partial"),
    (["（三）不予公开", "1.属于国家秘密"], "denied.secret"),
    (["2.其他法律行政法规禁止公开"], "denied.law"),
    (["3.危及“三安全一稳定”"], "denied.safety"),
    (["4.保护第三方合法权益"], "denied.third_party"),
    (["5.属于三类内部事务信息"], "denied.internal"),
    (["6.属于四类过程性信息"], "denied.process"),
    (["7.属于行政执法案卷"], "denied.enforcement"),
    (["8.属于行政查询事项"], "denied.query"),
    (["（四）无法提供", "1.本机关不掌握相关政府信息"], "unable.not_held"),
    (["2.没有现成信息需要另行制作"], "unable.need_create"),
    (["3.补正后申请内容仍不明确"], "unable.unclear"),
    (["（五）不予处理", "1.信访举报投诉类申请"], "unprocessed.petition"),
    (["2.重复申请"], "unprocessed.repeat"),
    (["3.要求提供公开出版物"], "unprocessed.publication"),
    (["4.无正当理由大量反复申请"], "unprocessed.mass"),
    (["5.要求行政机关确认或重新出具已获取信息"], "unprocessed.confirm"),
]
APPLY_LABELS_2019 = APPLY_LABELS_HEAD + [
    (["（六）其他处理"], "other"),
    (["（七）总计"], "total"),
    (["四、结转下年度继续办理"], "carried_out"),
]
APPLY_LABELS_2021 = APPLY_LABELS_HEAD + [
    (
        ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
        "other.no_correction",
    ),
    (["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"], "other.no_fee"),
    (["3.其他"], "other.other"),
    (["（七）总计"], "total"),
    (["四、结转下年度继续办理"], "carried_out"),
]
REVIEW_HEADER = [
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


def active_2019(amount: str = "2727.174", amount_header: str = "采购总金额（单位：万元）"):
    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "1", "2", "3"],
        ["规范性文件", "4", "5", "6"],
        ["第二十条第（五）项"],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "7", "+8", "9"],
        ["其他对外管理服务事项", "10", "-11", "12"],
        ["第二十条第（六）项"],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政处罚", "13", "14", "15"],
        ["行政强制", "16", "17", "18"],
        ["第二十条第（八）项"],
        ["信息内容", "上一年项目数量", "本年增/减"],
        ["行政事业性收费", "19", "20"],
        ["第二十条第（九）项"],
        ["信息内容", "采购项目数量", amount_header],
        ["政府集中采购", "21", amount],
    ]
    expected = {
        "active.rules.made": 1, "active.rules.published": 2, "active.rules.total": 3,
        "active.normative.made": 4, "active.normative.published": 5, "active.normative.total": 6,
        "active.licensing.prev": 7, "active.licensing.change": 8,
        "active.licensing.decisions": 9, "active.other_services.prev": 10,
        "active.other_services.change": -11, "active.other_services.decisions": 12,
        "active.penalty.prev": 13, "active.penalty.change": 14, "active.penalty.decisions": 15,
        "active.coercion.prev": 16, "active.coercion.change": 17,
        "active.coercion.decisions": 18, "active.fees.prev": 19, "active.fees.change": 20,
        "active.procurement.count": 21, "active.procurement.amount": 2727.174,
    }  # fmt: skip
    return rows, expected


def active_2021():
    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"],
        ["第二十条第（五）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", "447228"],
        ["第二十条第（六）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚", "3985"],
        ["行政强制", "88"],
        ["第二十条第（八）项"],
        ["信息内容", "本年收费金额（单位：万元）"],
        ["行政事业性收费", "96171.6"],
    ]
    expected = {
        "active.rules.issued": 1, "active.rules.repealed": 0, "active.rules.in_force": 11,
        "active.normative.issued": 8, "active.normative.repealed": 26,
        "active.normative.in_force": 66, "active.licensing.decisions": 447228,
        "active.penalty.decisions": 3985, "active.coercion.decisions": 88,
        "active.fees.amount": 96171.6,
    }  # fmt: skip
    return rows, expected


def apply_table(labels, columns=keys.APPLY_COLUMNS, header=APPLY_HEADER, base=1000):
    """Rows of table 三 with cell (row i, column j) = base + 10*i + j, and the expected metrics."""
    rows = [list(r) for r in header]
    expected = {}
    for i, (label_cells, row_key) in enumerate(labels):
        values = [base + 10 * i + j for j in range(len(columns))]
        rows.append(label_cells + [str(v) for v in values])
        for column, value in zip(columns, values, strict=True):
            expected[f"apply.{row_key}.{column}"] = value
    return rows, expected


def review_table():
    values = list(range(31, 46))
    expected = dict(zip(keys.REVIEW_KEYS, values, strict=True))
    return [*REVIEW_HEADER, [str(v) for v in values]], expected


def values_of(result):
    return {key: metric.value for key, metric in result.metrics.items()}


def test_2019_constructed_tables_read_every_key() -> None:
    active, e1 = active_2019()
    apply, e2 = apply_table(APPLY_LABELS_2019)
    review, e3 = review_table()
    result = read_tables(active + apply + review)
    assert result.template == keys.TEMPLATE_2019
    assert values_of(result) == {**e1, **e2, **e3}
    assert result.problems == []


def test_2021_template_detected_and_every_key_read() -> None:
    active, e1 = active_2021()
    apply, e2 = apply_table(APPLY_LABELS_2021)
    review, e3 = review_table()
    result = read_tables(active + apply + review)
    assert result.template == keys.TEMPLATE_2021
    assert set(result.metrics) == set(keys.TEMPLATE_KEYS[keys.TEMPLATE_2021])
    assert values_of(result) == {**e1, **e2, **e3}


def test_2021_detected_from_table_three_alone() -> None:
    apply, expected = apply_table(APPLY_LABELS_2021)
    result = read_tables(apply, year=2020)  # the labels outweigh the year
    assert result.template == keys.TEMPLATE_2021
    assert values_of(result) == expected


def test_year_breaks_a_tie_when_labels_do_not_say() -> None:
    review, expected = review_table()
    assert read_tables(review, year=2022).template == keys.TEMPLATE_2021
    assert read_tables(review, year=2020).template == keys.TEMPLATE_2019


def test_org_subtotal_column_is_kept_as_extra_key() -> None:
    header = [APPLY_HEADER[0], APPLY_HEADER[1], APPLY_HEADER[2] + ["法人小计"]]
    columns = keys.APPLY_COLUMNS[:-1] + (keys.APPLY_SUBTOTAL_COLUMN, "total")
    apply, expected = apply_table(APPLY_LABELS_2019, columns=columns, header=header)
    result = read_tables(active_2019()[0] + apply)
    assert result.metrics["apply.new.org_subtotal"].value == expected["apply.new.org_subtotal"]
    assert {k: v for k, v in values_of(result).items() if k.startswith("apply.")} == expected


def test_repeated_header_rows_after_page_break_shift_nothing() -> None:
    active, e1 = active_2019()
    apply, e2 = apply_table(APPLY_LABELS_2019)
    review, e3 = review_table()
    # A page break just before （七）总计 repeats the column headers, including a bare '总计'.
    total_at = next(i for i, row in enumerate(apply) if row[0] == "（七）总计")
    apply = apply[:total_at] + [list(r) for r in APPLY_HEADER] + apply[total_at:]
    active = active[:8] + [active[5]] + active[8:]
    result = read_tables(active + apply + review)
    assert values_of(result) == {**e1, **e2, **e3}


def test_procurement_amount_printed_in_yuan_is_read_in_wan_yuan() -> None:
    rows, _ = active_2019(amount="27271740元")
    result = read_tables(rows)
    assert result.metrics["active.procurement.amount"].value == 2727.174
    assert result.metrics["active.procurement.amount"].raw == "27271740元"


def test_procurement_amount_under_yuan_header_is_read_in_wan_yuan() -> None:
    rows, _ = active_2019(amount="27271740", amount_header="采购总金额（单位：元）")
    assert read_tables(rows).metrics["active.procurement.amount"].value == 2727.174


def test_full_width_digits_are_read() -> None:
    rows, expected = active_2019(amount="２，７２７．１７４")
    rows[2] = ["规章", "１", "２", "３"]
    assert values_of(read_tables(rows)) == expected


def test_placeholder_cells_are_none_with_printed_text_kept() -> None:
    rows, _ = active_2019()
    rows[14] = ["行政事业性收费", "—", "/"]
    rows[17] = ["政府集中采购", "无", "——"]
    metrics = read_tables(rows).metrics
    assert [metrics[k].value for k in ("active.fees.prev", "active.fees.change")] == [None, None]
    assert metrics["active.fees.prev"].raw == "—"
    assert metrics["active.procurement.count"].raw == "无"
    assert metrics["active.procurement.count"].value is None


def test_row_with_too_few_cells_leaves_the_rest_blank_and_says_so() -> None:
    rows, _ = active_2019()
    rows[6] = ["行政许可", "7"]
    result = read_tables(rows)
    assert result.metrics["active.licensing.prev"].value == 7
    assert result.metrics["active.licensing.decisions"].value is None
    assert any("licensing" in problem for problem in result.problems)


def test_missing_row_keys_are_present_as_blank_with_a_problem() -> None:
    rows, _ = active_2019()
    del rows[11]  # 行政强制
    result = read_tables(rows)
    assert result.metrics["active.coercion.prev"].value is None
    assert result.metrics["active.fees.prev"].value == 19
    assert any("coercion" in problem for problem in result.problems)


def test_narrative_rows_between_tables_change_nothing() -> None:
    active, e1 = active_2019()
    apply, e2 = apply_table(APPLY_LABELS_2019)
    prose = [
        ["三、收到和处理政府信息公开申请情况"],
        ["2020年共收到申请12件，上年结转政府信息公开申请数量3件。"],
    ]
    result = read_tables(active + prose + apply)
    assert values_of(result) == {**e1, **e2}


def test_random_junk_gives_no_metrics_and_a_problem() -> None:
    rng = random.Random(20201231)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"  # noqa: E501
    junk = [
        ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
         if rng.random() < 0.6 else str(rng.randint(0, 999)) for _ in range(rng.randint(1, 9))]
        for _ in range(80)
    ]  # fmt: skip
    result = read_tables(junk)
    assert result.metrics == {}
    assert result.template == keys.TEMPLATE_UNKNOWN
    assert result.problems


def test_empty_input_gives_no_metrics_and_a_problem() -> None:
    result = read_tables([])
    assert result.metrics == {} and result.problems and result.tables_found == ()


def test_none_cells_from_pdf_extraction_are_blank() -> None:
    review, expected = review_table()
    rows = [[None if cell == "" else cell for cell in row] for row in review]
    rows[0] = ["行政复议", None, None, None, None, "行政诉讼"]
    assert values_of(read_tables(rows, year=2020)) == expected
