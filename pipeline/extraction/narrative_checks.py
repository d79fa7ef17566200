"""Figures a report states in its prose, checked against the same report's tables.

Rules (names are stable: they are stored and queried), all severity "warning":

* `narrative.apply.received`: "收到/受理…申请 N 件" against 一、本年新收 (apply.new.total);
* `narrative.review.received`: "行政复议 N 件" against table 四's 行政复议 总计 (review.total);
* `narrative.litigation.received`: "行政诉讼 N 件" against the two 行政诉讼 总计 columns summed;
* `narrative.fees.none_charged` (2021 template): the text says no fees were charged at all
  ("全年未收取任何费用", "无行政事业性收费") while table 二's 行政事业性收费 本年收费金额
  (active.fees.amount) prints more than 0. A sentence about the disclosure fee (信息处理费) or
  about applications is not such a statement: that fee is not the 行政事业性收费 of table 二, so
  "依申请公开未收取信息处理费" and a fee income in the table do not contradict each other.

Prose is loose where tables are exact, so a rule fails only when NO figure of its kind stated in the
text agrees with the table: a sentence may talk about last year, and "收到申请 N 件" often counts the
applications carried in from last year too (N = 新收 + 上年结转 is accepted). A failed check keeps
the table value as `expected`, the first stated figure as `printed` and its sentence as `detail`.
Every check's evidence is the table's figure and the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.extraction.report import Check, Fact, Metric
from pipeline.extraction.sentences import prose_sentences

TOLERANCE = 1e-6
SEVERITY = "warning"
_MAX_DETAIL = 300


@dataclass(frozen=True)
class _Rule:
    fact_kind: str
    table_keys: tuple[str, ...]  # summed to give the table's figure
    # Other table figures the prose may legitimately state (sums of these key groups).
    also_accepted: tuple[tuple[str, ...], ...] = ()

    @property
    def name(self) -> str:
        return f"narrative.{self.fact_kind}"


RULES: tuple[_Rule, ...] = (
    _Rule(
        "apply.received",
        ("apply.new.total",),
        also_accepted=(("apply.new.total", "apply.carried_in.total"),),
    ),
    _Rule("review.received", ("review.total",)),
    _Rule("litigation.received", ("litigation.direct.total", "litigation.after_review.total")),
)


def _table_sum(metrics: Mapping[str, Metric], table_keys: Sequence[str]) -> float | None:
    """The sum of the printed cells, or None when any of them is blank or placeholder."""
    values = [metrics[key].value for key in table_keys]
    if any(value is None for value in values):
        return None
    return sum(value for value in values if value is not None)


def _check(rule: _Rule, facts: Sequence[Fact], metrics: Mapping[str, Metric]) -> Check | None:
    stated = [fact for fact in facts if fact.kind == rule.fact_kind]
    if not stated or any(key not in metrics for key in rule.table_keys):
        return None
    expected = _table_sum(metrics, rule.table_keys)
    first = stated[0]
    table = f"table {'+'.join(rule.table_keys)} = "
    if expected is None:
        blank = ", ".join(key for key in rule.table_keys if metrics[key].value is None)
        return Check(
            rule.name,
            None,
            printed=first.value,
            detail=f"table cell blank ({blank}): {first.sentence}"[:_MAX_DETAIL],
            severity=SEVERITY,
            evidence=f"{table}（空）; text: {first.sentence}"[:_MAX_DETAIL],
        )
    accepted = [expected]
    for group in rule.also_accepted:
        if all(key in metrics for key in group):
            total = _table_sum(metrics, group)
            if total is not None:
                accepted.append(total)
    for fact in stated:
        if any(abs(fact.value - value) <= TOLERANCE for value in accepted):
            return Check(
                rule.name,
                True,
                expected=expected,
                printed=fact.value,
                detail=fact.sentence[:_MAX_DETAIL],
                severity=SEVERITY,
                evidence=f"{table}{expected:g}; text: {fact.sentence}"[:_MAX_DETAIL],
            )
    return Check(
        rule.name,
        False,
        expected=expected,
        printed=first.value,
        detail=first.sentence[:_MAX_DETAIL],
        severity=SEVERITY,
        evidence=f"{table}{expected:g}; text: {first.sentence}"[:_MAX_DETAIL],
    )


def narrative_checks(facts: Sequence[Fact], metrics: Mapping[str, Metric]) -> list[Check]:
    """One check per rule whose prose figure and table cells are both present, in rule order."""
    checks = [_check(rule, facts, metrics) for rule in RULES]
    return [check for check in checks if check is not None]


FEES_RULE = "narrative.fees.none_charged"
FEES_KEY = "active.fees.amount"
# "未收取任何费用", "没有收取费用", "不收取行政事业性收费", "无行政事业性收费"…
_NO_FEES = re.compile(
    r"(?:未|没有|不|均未|从未)(?:收取|收)[^，。；]{0,8}?(?:费用|收费)|无(?:任何)?(?:行政事业性)?收费"
)
# The disclosure fee and the application procedure: another fee than table 二's.
_DISCLOSURE_FEE = re.compile(r"信息处理费|申请|检索|复制|邮寄")


def fees_check(text: str, metrics: Mapping[str, Metric]) -> Check | None:
    """`narrative.fees.none_charged`, when the text says no fees were charged and the report has
    table 二's fee cell; None otherwise."""
    if FEES_KEY not in metrics:
        return None
    sentence = next(
        (
            sentence
            for sentence in prose_sentences(text)
            if _NO_FEES.search(sentence) and not _DISCLOSURE_FEE.search(sentence)
        ),
        None,
    )
    if sentence is None:
        return None
    fee = metrics[FEES_KEY]
    printed = fee.raw.strip() or "（空）"
    evidence = f"table 二 行政事业性收费 本年收费金额 {printed} 万元; text: {sentence}"[
        :_MAX_DETAIL
    ]
    if fee.value is None:
        passed: bool | None = None
        detail = "fee cell blank; the text says no fees were charged"
    else:
        passed = fee.value <= TOLERANCE
        detail = (
            "the text says no fees were charged and table 二 prints none"
            if passed
            else "table 二 prints fees collected while the text says none were charged"
        )
    return Check(
        FEES_RULE,
        passed,
        expected=0.0,
        printed=fee.value,
        detail=detail,
        severity=SEVERITY,
        evidence=evidence,
    )
