"""Reports from before 2019: template pre2019, text and facts kept, the old 统计表 under pre2019.*.

Expected values are typed from the hand-written fixture's table (tests/fixtures/documents/
pre2019_2017_report.html, a GBK page modelled on the 2008–2018 统计表), not from nianbao code.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.extraction import keys
from pipeline.extraction.extract import extract_document
from pipeline.extraction.pre2019 import read_pre2019
from pipeline.extraction.report import STATUS_NO_TABLES, STATUS_OK

FIXTURE = Path(__file__).parent / "fixtures" / "documents" / "pre2019_2017_report.html"
TEXT = {"content-type": "text/plain; charset=utf-8"}

EXPECTED_2017 = {
    "active.total": 312, "active.normative": 4, "normative.made": 4, "active.gazette": 0,
    "active.website": 286, "active.weibo": None, "active.wechat": 1024,
    "active.other_channels": None, "apply.received": 9, "apply.in_person": 2, "apply.fax": 0,
    "apply.online": 6, "apply.letter": 1, "apply.closed": 9, "apply.on_time": 9,
    "apply.extended": 0, "apply.answered": 9, "apply.already_public": 3, "apply.granted": 4,
    "apply.partial": 1, "apply.denied": 0, "apply.not_this_agency": 1, "apply.not_exist": 0,
    "review.total": 0, "review.upheld": 0, "review.corrected": 0, "review.other": 0,
    "litigation.total": 1, "litigation.upheld": 1, "litigation.corrected": 0,
    "litigation.other": None, "complaints.total": 0, "fees.amount": 0, "staff.offices": 1,
    "staff.reading_points": 2, "staff.total": 3, "staff.full_time": 1, "staff.part_time": 2,
    "budget.amount": 1.5, "meetings.count": 2, "training.sessions": 1, "training.people": 45,
}  # fmt: skip


def extract_fixture():
    return extract_document(FIXTURE.read_bytes(), "http://127.0.0.1/art/2018/3/20/art_7.html", {})


def test_old_statistics_table_is_read_under_the_pre2019_namespace() -> None:
    report = extract_fixture()
    assert (report.status, report.template, report.year) == (STATUS_OK, keys.TEMPLATE_PRE2019, 2017)
    for suffix, value in EXPECTED_2017.items():
        assert report.value(f"pre2019.{suffix}") == value, suffix


def test_every_pre2019_key_is_present_and_unprinted_rows_are_blank() -> None:
    report = extract_fixture()
    assert set(report.metrics) == set(keys.PRE2019_KEYS)
    assert report.metrics["pre2019.apply.correction"].raw == ""
    assert report.metrics["pre2019.apply.correction"].value is None


def test_pre2019_printed_text_is_kept_beside_the_number() -> None:
    metrics = extract_fixture().metrics
    assert (metrics["pre2019.active.wechat"].raw, metrics["pre2019.active.weibo"].raw) == (
        "1,024",
        "—",
    )
    assert metrics["pre2019.litigation.other"].raw == "/"


def test_pre2019_report_keeps_metadata_text_and_facts() -> None:
    report = extract_fixture()
    assert report.agency == "示例市示例区教育局"
    assert report.published == "2018-03-20"
    assert "进一步健全政府信息公开工作机制" in report.text
    assert ("apply.received", 9.0) in {(f.kind, f.value) for f in report.facts}


def test_old_table_in_a_tab_separated_text_rendering_is_read() -> None:
    text = (
        "某县财政局2015年政府信息公开工作年度报告\n\n"
        "本报告中所列数据的统计期限自2015年1月1日起至2015年12月31日止。\n"
        "统计指标\t单位\t统计数\n"
        "一、主动公开政府信息数\t条\t１２０\n"
        "二、受理政府信息公开申请数\t件\t7\n"
        "三、行政复议数\t件\t1\n"
        "四、行政诉讼数\t件\t0\n"
    )
    report = extract_document(text.encode("utf-8"), "http://127.0.0.1/2015.txt", TEXT)
    assert (report.status, report.template) == (STATUS_OK, keys.TEMPLATE_PRE2019)
    assert [
        report.value(f"pre2019.{k}")
        for k in ("active.total", "apply.received", "review.total", "litigation.total")
    ] == [120, 7, 1, 0]


def test_free_form_pre2019_report_without_a_table_is_no_tables_with_facts() -> None:
    text = (
        "某县民政局2016年政府信息公开工作年度报告\n\n"
        "2016年，我局共受理政府信息公开申请3件，均已按期答复。全年未发生行政复议。\n"
    )
    report = extract_document(text.encode("utf-8"), "http://127.0.0.1/2016.txt", TEXT)
    assert (report.status, report.template, report.metrics) == (
        STATUS_NO_TABLES,
        keys.TEMPLATE_PRE2019,
        {},
    )
    assert ("apply.received", 3.0) in {(f.kind, f.value) for f in report.facts}


def test_a_single_indicator_in_prose_is_not_a_table() -> None:
    text = "某县民政局2016年政府信息公开工作年度报告\n\n主动公开政府信息数\t条\t5\n"
    report = extract_document(text.encode("utf-8"), "http://127.0.0.1/2016.txt", TEXT)
    assert report.metrics == {} and report.status == STATUS_NO_TABLES


def _fujian_table() -> str:
    # Fujian's wording of the 统计表 (the row labels of 平潭综合实验区's 2018 report): its own
    # indicator names, a 历年累计 column after the year's, sub-rows numbered after 其中.
    return (
        "某区2018年度政府信息公开工作年度报告\n\n"
        "指标名称\t计量单位\t2018年度\t历年累计\n"
        "主动公开文件数\t条\t31\t402\n"
        "其中：1.政府网站公开数\t条\t29\t390\n"
        "2.政府公报公开数\t条\t2\t12\n"
        "受理依申请公开信息总数\t条\t5\t40\n"
        "其中：1.当面申请数\t条\t1\t9\n"
        "2.网上申请数\t条\t3\t25\n"
        "3.信函、传真申请数\t条\t1\t6\n"
        "对申请的答复总数\t条\t5\t40\n"
        "其中：1.同意公开答复数\t条\t4\t33\n"
        "2.同意部分公开答复数\t条\t0\t2\n"
        "3.不予公开答复数\t条\t1\t5\n"
        "行政复议数\t件\t0\t1\n"
        "行政诉讼数\t件\t0\t0\n"
    )


def test_provincial_wording_of_the_old_table_is_read_for_the_year() -> None:
    report = extract_document(_fujian_table().encode("utf-8"), "http://127.0.0.1/2018.txt", TEXT)
    read = {
        key: report.value(f"pre2019.{key}")
        for key in (
            "active.total", "active.website", "active.gazette", "apply.received",
            "apply.online", "apply.answered", "apply.denied",
        )
    }  # fmt: skip
    assert read == {
        "active.total": 31, "active.website": 29, "active.gazette": 2, "apply.received": 5,
        "apply.online": 3, "apply.answered": 5, "apply.denied": 1,
    }  # fmt: skip


def test_sub_rows_numbered_after_qizhong_are_read() -> None:
    report = extract_document(_fujian_table().encode("utf-8"), "http://127.0.0.1/2018.txt", TEXT)
    assert (report.value("pre2019.apply.in_person"), report.value("pre2019.apply.granted")) == (
        1,
        4,
    )


def test_a_row_lumping_letter_and_fax_is_read_as_neither() -> None:
    report = extract_document(_fujian_table().encode("utf-8"), "http://127.0.0.1/2018.txt", TEXT)
    assert (report.value("pre2019.apply.letter"), report.value("pre2019.apply.fax")) == (None, None)


def test_indicators_printed_without_their_trailing_shu_are_read() -> None:
    # Fujian's 2012 wording (平潭县人民政府's report): 网站公开 and 政府公报公开 without 数,
    # 对申请的答复数, 否决公开答复数 for the refusals.
    text = (
        "某县人民政府2012年政府信息公开工作年度报告\n\n"
        "指标名称\t计量单位\t2012年度\t历年累计\n"
        "主动公开信息数\t条\t40\t90\n"
        "其中：1.网站公开\t条\t35\t80\n"
        "2.政府公报公开\t条\t5\t10\n"
        "受理依申请公开信息总数\t条\t6\t6\n"
        "对申请的答复数\t条\t6\t6\n"
        "3.否决公开答复数\t条\t1\t1\n"
    )
    report = extract_document(text.encode("utf-8"), "http://127.0.0.1/2012.txt", TEXT)
    assert [
        report.value(f"pre2019.{key}")
        for key in ("active.website", "active.gazette", "apply.answered", "apply.denied")
    ] == [35, 5, 6, 1]


def test_a_group_cell_before_the_indicator_does_not_take_its_row() -> None:
    # 行政复议 spanning its rows in a first column, the indicator in the second: the group word
    # alone is no indicator (read as one, it would end the row before its number).
    rows = [
        ["统计指标", "", "单位", "统计数"],
        ["主动公开政府信息数", "", "条", "12"],
        ["行政复议", "行政复议数量", "件", "2"],
        ["", "维持具体行政行为数", "件", "2"],
    ]
    result = read_pre2019(rows)
    assert (
        result.metrics["pre2019.review.total"].value,
        result.metrics["pre2019.review.upheld"].value,
    ) == (2, 2)
