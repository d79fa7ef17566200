"""Document kind, agency, report year, dates and template from titles and report phrases."""

from __future__ import annotations

import pytest

from pipeline.extraction.metadata import (
    choose_template,
    classify,
    find_agency,
    find_year,
    read_metadata,
    repair_agency,
    signature_agency,
    signature_date,
    title_from_text,
)


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("洛阳市民政局2020年政府信息公开工作年度报告", "annual_report"),
        ("2019年度政务公开工作年报", "annual_report"),
        ("濮阳市民政局2020年度政府信息和政务公开工作自查情况的报告", "self_inspection"),
        ("洛阳市民政局政府信息公开指南", "other"),
        ("关于做好2020年政府信息公开工作年度报告编制发布工作的通知", "other"),
        ("2020年政府信息公开工作年度报告（洛阳市民政局）", "annual_report"),
        # Real titles: the Pingtan police's 2017 report, and a letter filed in a 年报 column.
        ("区公安局2017年度政府信息公开报告", "annual_report"),
        ("关于2014年政府信息公开工作要点落实情况的函", "other"),
    ],
)
def test_titles_are_classified(title: str, doc_type: str) -> None:
    assert classify(title) == doc_type


def test_untitled_text_is_classified_from_its_opening() -> None:
    text = "根据《条例》，特向社会公布晋安区民政局2020年政府信息公开工作年度报告。"
    assert classify(None, text) == "annual_report"


def test_agency_comes_from_the_title_before_the_year() -> None:
    assert find_agency("洛阳市民政局 2020 年政府信息公开工作年度报告", "") == "洛阳市民政局"


def test_agency_comes_from_the_title_after_the_year() -> None:
    assert find_agency("2020年洛阳市民政局政府信息公开工作年度报告", "") == "洛阳市民政局"


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("特向社会公布晋安区民政局2020年政府信息公开工作年度报告。", "晋安区民政局"),
        ("2020年清远市民政局严格按照《条例》开展工作。", "清远市民政局"),
        ("本报告由淮安市人民政府办公室根据《条例》规定编制。", "淮安市人民政府办公室"),
    ],
)
def test_agency_comes_from_report_phrases(text: str, agency: str) -> None:
    assert find_agency("政府信息公开工作年度报告", text) == agency


def test_our_bureau_is_not_an_agency_and_the_source_is_the_fallback() -> None:
    text = "现将我局2020年度政府信息公开工作报告如下。"
    assert find_agency(None, text, source_agency="某市民政局") == "某市民政局"


def test_meta_source_precedes_the_source_file() -> None:
    assert find_agency(None, "", meta_source="某区财政局", source_agency="某区政府") == "某区财政局"


def test_doubled_first_character_is_repaired() -> None:
    assert repair_agency("濮濮阳市民政局", "濮阳市民政局严格按照") == "濮阳市民政局"
    assert repair_agency("洛阳市民政局") == "洛阳市民政局"


def test_year_is_the_year_reported_on_not_published() -> None:
    text = "本报告所列数据统计期限自2020年1月1日至2020年12月31日。2021年工作打算……"
    assert find_year(None, text, "2021-01-29") == 2020


def test_year_in_chinese_numerals_is_read() -> None:
    assert find_year("某局二〇二〇年政府信息公开工作年度报告", "") == 2020


def test_year_falls_back_to_the_year_before_publication() -> None:
    assert find_year(None, "没有年份的文字", "2021-03-01") == 2020


def test_wrapped_title_lines_are_joined() -> None:
    text = "濮濮阳市民政局2020年度政府信息和\n政务公开工作自查情况的报告\n\n根据要求……"
    assert title_from_text(text) == "濮濮阳市民政局2020年度政府信息和政务公开工作自查情况的报告"


def test_signature_date_is_the_publication_date_of_a_text() -> None:
    assert signature_date("……特此报告。\n\n洛阳市民政局\n2021年1月20日\n") == "2021-01-20"


@pytest.mark.parametrize(
    ("tables", "year", "template"),
    [("2021", 2021, "2021"), (None, 2017, "pre2019"), ("unknown", 2020, "unknown")],
)
def test_template_comes_from_tables_then_year(tables: str | None, year: int, template: str) -> None:
    assert choose_template(tables, year) == template


def test_link_text_titles_a_document_without_one() -> None:
    meta = read_metadata(None, "", link_text="某县2019年政府信息公开工作年度报告.pdf")
    assert (meta.doc_type, meta.year) == ("annual_report", 2019)


def test_agency_keeps_a_trailing_parenthetical() -> None:
    title = "示例市示例二区财政局（示例）2022年政府信息公开工作年度报告"
    assert find_agency(title, "") == "示例市示例二区财政局（示例）"


def test_the_publisher_of_the_metadata_table_wins_over_the_portals_agency() -> None:
    # A department's report on its city's portal: the title names no agency, the table does.
    agency = find_agency(
        "2023年政府信息公开工作年度报告",
        "一、总体情况",
        publisher="洛阳市民政局",
        source_agency="洛阳市人民政府",
    )
    assert agency == "洛阳市民政局"


def test_the_signature_names_the_agency_when_title_and_table_do_not() -> None:
    text = "一、总体情况\n本年度……\n六、其他需要报告的事项\n无。\n\n濮阳市民政局\n2021年1月20日\n"
    assert signature_agency(text) == "濮阳市民政局"
    assert find_agency("2020年政府信息公开工作年度报告", text, source_agency="濮阳市人民政府") == (
        "濮阳市民政局"
    )


def test_a_last_line_that_is_no_agency_is_no_signature() -> None:
    assert signature_agency("六、其他需要报告的事项\n无。\n2021年1月20日\n") is None
    assert signature_agency("正文\n扫一扫在手机上查看当前页面\n") is None


def test_a_name_with_its_place_wins_over_one_every_city_has() -> None:
    # The table says 市民政局; the report's own phrase names the city too.
    text = "根据《条例》，现将洛阳市民政局2023年政府信息公开工作年度报告公布如下。"
    assert find_agency("2023年政府信息公开工作年度报告", text, publisher="市民政局") == (
        "洛阳市民政局"
    )
    # Only the name without its place: still the page's name, not the portal's agency.
    assert (
        find_agency("2023年政府信息公开工作年度报告", "", publisher="市民政局",
                    source_agency="洛阳市人民政府")
        == "市民政局"
    )  # fmt: skip
