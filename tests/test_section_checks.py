"""第五部分 (存在的主要问题及改进情况): present and saying something, on hand-written report texts."""

from __future__ import annotations

from pipeline.extraction.section_checks import problems_section_check

HEAD = "一、总体情况\n本年度我局认真落实条例要求，全年主动公开信息120条。\n"
TAIL = "六、其他需要报告的事项\n无。\n"


def test_section_five_saying_only_wu_fails() -> None:
    check = problems_section_check(HEAD + "五、存在的主要问题及改进情况\n无。\n" + TAIL)
    assert (check.verdict, check.severity) == ("fail", "warning")
    assert check.evidence == "无。"


def test_section_five_with_empty_sub_headings_fails() -> None:
    text = HEAD + "五、存在的主要问题及改进情况\n（一）存在问题：无\n（二）改进情况：暂无\n" + TAIL
    assert problems_section_check(text).verdict == "fail"


def test_section_five_with_content_passes() -> None:
    text = (
        HEAD
        + "五、存在的主要问题及改进情况\n政策解读形式较为单一，下一步将丰富图解、视频等解读形式。\n"
        + TAIL
    )
    check = problems_section_check(text)
    assert check.verdict == "pass"
    assert "政策解读形式较为单一" in check.evidence


def test_missing_section_five_among_other_headings_fails() -> None:
    assert problems_section_check(HEAD + TAIL).verdict == "fail"


def test_text_without_section_headings_is_unverifiable() -> None:
    check = problems_section_check("本年度我局认真落实条例要求，全年主动公开信息120条。")
    assert (check.verdict, check.passed) == ("unverifiable", None)


def test_seed_reports_say_something_in_section_five() -> None:
    from portal.content import seed_text, seed_truth_paths

    for path in seed_truth_paths(tabled_only=True):
        text = seed_text(path).decode("utf-8")
        assert problems_section_check(text).verdict == "pass", path.name


def test_section_five_heading_naming_its_subject_is_found() -> None:
    # As the 2019 report of 上海市人民政府办公厅 prints it (tests/fixtures/real/reports/).
    text = (
        HEAD
        + "五、政府信息公开工作存在的主要问题及改进情况\n（一）主要问题\n"
        + "一是新《条例》实施后，专业领域的理论学习仍需加强。\n"
        + TAIL
    )
    check = problems_section_check(text)
    assert check.verdict == "pass"
    assert "理论学习仍需加强" in check.evidence
