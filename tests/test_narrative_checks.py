"""Figures stated in a report's prose checked against its own tables (severity warning)."""

from __future__ import annotations

from pipeline.extraction.extract import extract_document
from pipeline.extraction.narrative_checks import fees_check, narrative_checks
from pipeline.extraction.report import Fact, Metric
from portal.content import SEEDS_DIR

SEED_001 = SEEDS_DIR / "001_fc8dd0114ccc9bd3.txt"
TEXT = {"content-type": "text/plain; charset=utf-8"}
# Seed 001's prose says "受理依申请公开 178 件 … 行政复议 2 件，行政诉讼 2 件"; its YAML tables say
# 178 new applications, 2 reviews and 1 + 1 lawsuits.


def metrics(**values: float | None) -> dict[str, Metric]:
    return {
        key.replace("__", "."): Metric(
            key.replace("__", "."), value, "" if value is None else str(value)
        )
        for key, value in values.items()
    }


TABLES = metrics(
    apply__new__total=178,
    apply__carried_in__total=12,
    review__total=2,
    litigation__direct__total=1,
    litigation__after_review__total=1,
)


def by_rule(checks):
    return {check.rule: check for check in checks}


def test_prose_agreeing_with_the_tables_passes() -> None:
    facts = [Fact("apply.received", 178, "件", "s"), Fact("review.received", 2, "件", "s")]
    checks = by_rule(narrative_checks(facts, TABLES))
    assert checks["narrative.apply.received"].passed is True
    assert checks["narrative.review.received"].passed is True


def test_prose_contradicting_the_tables_fails_with_both_numbers_and_the_sentence() -> None:
    facts = [Fact("review.received", 5, "件", "全年发生行政复议5件。")]
    check = by_rule(narrative_checks(facts, TABLES))["narrative.review.received"]
    assert (check.passed, check.expected, check.printed) == (False, 2, 5)
    assert check.detail == "全年发生行政复议5件。"
    assert check.severity == "warning"


def test_litigation_is_compared_with_both_lawsuit_columns_summed() -> None:
    agree = narrative_checks([Fact("litigation.received", 2, "件", "s")], TABLES)
    disagree = narrative_checks([Fact("litigation.received", 1, "件", "s")], TABLES)
    assert by_rule(agree)["narrative.litigation.received"].passed is True
    assert by_rule(disagree)["narrative.litigation.received"].expected == 2
    assert by_rule(disagree)["narrative.litigation.received"].passed is False


def test_received_including_carried_in_applications_is_not_a_contradiction() -> None:
    check = narrative_checks([Fact("apply.received", 190, "件", "s")], TABLES)[0]
    assert check.passed is True and check.expected == 178


def test_any_agreeing_sentence_is_enough() -> None:
    facts = [
        Fact("review.received", 7, "件", "上年行政复议7件"),
        Fact("review.received", 2, "件", "s"),
    ]
    assert narrative_checks(facts, TABLES)[0].passed is True


def test_blank_table_cell_leaves_the_check_undecided() -> None:
    tables = {**TABLES, **metrics(review__total=None)}
    check = narrative_checks([Fact("review.received", 2, "件", "s")], tables)[0]
    assert check.passed is None


def test_no_prose_figure_or_no_table_means_no_check() -> None:
    assert narrative_checks([], TABLES) == []
    assert narrative_checks([Fact("review.received", 2, "件", "s")], {}) == []


def test_seed_001_prose_agrees_with_its_tables() -> None:
    report = extract_document(SEED_001.read_bytes(), "http://127.0.0.1/001.txt", TEXT)
    checks = by_rule(report.checks)
    for rule in ("apply.received", "review.received", "litigation.received"):
        assert checks[f"narrative.{rule}"].passed is True


def test_seed_001_with_a_wrong_figure_in_the_prose_gets_a_failed_warning() -> None:
    text = SEED_001.read_text(encoding="utf-8")
    assert "行政复议 2 件" in text
    body = text.replace("行政复议 2 件", "行政复议 9 件")
    report = extract_document(body.encode("utf-8"), "http://127.0.0.1/001.txt", TEXT)
    check = by_rule(report.checks)["narrative.review.received"]
    assert (check.passed, check.expected, check.printed) == (False, 2, 9)
    assert "行政复议9件" in check.detail


# -- fees in table 二 against a text saying none were charged --------------------------------

NO_FEES = "本年度我局全年未收取任何费用，也未发生相关投诉。"


def test_fees_printed_while_the_text_says_none_fails_with_both() -> None:
    check = fees_check(NO_FEES, metrics(active__fees__amount=12.5))
    assert check is not None
    assert (check.verdict, check.severity, check.printed) == ("fail", "warning", 12.5)
    assert "12.5 万元" in check.evidence and NO_FEES in check.evidence


def test_no_fees_printed_and_none_said_passes() -> None:
    check = fees_check(NO_FEES, metrics(active__fees__amount=0))
    assert check is not None and check.verdict == "pass"


def test_blank_fee_cell_leaves_the_fee_check_unverifiable() -> None:
    check = fees_check(NO_FEES, metrics(active__fees__amount=None))
    assert check is not None and (check.verdict, check.passed) == ("unverifiable", None)


def test_no_disclosure_fee_is_not_a_statement_about_table_two_fees() -> None:
    text = "依申请公开政府信息过程中，没有收取信息处理费。"
    assert fees_check(text, metrics(active__fees__amount=12.5)) is None


def test_text_silent_on_fees_gives_no_fee_check() -> None:
    assert fees_check("本年度主动公开政府信息120条。", metrics(active__fees__amount=12.5)) is None
