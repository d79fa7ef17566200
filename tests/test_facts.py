"""Narrative figures: one behaviour per kind, each checked against a sentence written here."""

from __future__ import annotations

import pytest

from pipeline.extraction.facts import find_facts


def facts(text: str) -> set[tuple[str, float]]:
    return {(fact.kind, fact.value) for fact in find_facts(text)}


def test_website_total_and_its_categories() -> None:
    found = facts("2020年网站发布信息402条，其中概况类信息更新量115条，政务动态信息更新量245条。")
    assert found == {
        ("website.items", 402),
        ("website.items.overview", 115),
        ("website.items.news", 245),
    }


def test_new_media_accounts_and_posts() -> None:
    found = facts("我局开设新媒体1个，“洛阳民政”微信发布55条，6763个用户关注。")
    assert found == {("new_media.accounts", 1), ("new_media.posts", 55)}


def test_channel_is_the_nearest_one_named_before_the_count() -> None:
    text = "官方微信公众号“濮阳民政”保持一周至少发布两篇信息动态，2020年共发布信息108条。"
    assert facts(text) == {("new_media.posts", 108)}


@pytest.mark.parametrize(
    ("sentence", "kind", "value"),
    [
        ("2020年，我局共收到依申请公开事项2件，均按要求进行了回复。", "apply.received", 2),
        ("2020年，我局共收到行政复议案件1件，按程序进行了答复。", "review.received", 1),
        ("全年发生行政诉讼案件3起。", "litigation.received", 3),
        ("全年举办政务公开培训两次，培训人员120人次。", "training.sessions", 2),
        ("全年举办政务公开培训两次，培训人员120人次。", "training.people", 120),
        ("组织十二期政务公开业务培训。", "training.sessions", 12),
        ("依申请公开收取费用1.5万元。", "fees.amount", 1.5),
        ("共办理群众来信338件，办结率100%。", "rate.completion", 100),
        ("群众满意率达98.5%。", "rate.satisfaction", 98.5),
    ],
)
def test_kind_is_read_from_its_sentence(sentence: str, kind: str, value: float) -> None:
    assert (kind, value) in facts(sentence)


def test_stated_absence_is_a_zero() -> None:
    found = facts("本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。全年未收取任何费用。")
    assert found == {("review.received", 0), ("litigation.received", 0), ("fees.amount", 0)}


def test_fact_keeps_its_sentence_and_unit() -> None:
    (fact,) = find_facts("前言。2020年，我局共收到行政复议案件1件，按程序进行了答复。后记。")
    assert fact.sentence == "2020年，我局共收到行政复议案件1件，按程序进行了答复。"
    assert fact.unit == "件"


def test_dates_and_years_are_not_counts() -> None:
    assert facts("2020年1月1日至2020年12月31日，我局认真贯彻落实《条例》。") == set()
