"""Figures a report states in its prose, checked against the same report's tables.

Rules (names are stable: they are stored and queried), all severity "warning":

* `narrative.apply.received`: "收到/受理…申请 N 件" against 一、本年新收 (apply.new.total);
* `narrative.review.received`: "行政复议 N 件" against table 四's 行政复议 总计 (review.total);
* `narrative.litigation.received`: "行政诉讼 N 件" against the two 行政诉讼 总计 columns summed.

Prose is loose where tables are exact, so a rule fails only when NO figure of its kind stated in the
text agrees with the table: a sentence may talk about last year, and "收到申请 N 件" often counts the
applications carried in from last year too (N = 新收 + 上年结转 is accepted). A failed check keeps
the table value as `expected`, the first stated figure as `printed` and its sentence as `detail`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.extraction.report import Check, Fact, Metric

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
    if expected is None:
        blank = ", ".join(key for key in rule.table_keys if metrics[key].value is None)
        return Check(
            rule.name,
            None,
            printed=first.value,
            detail=f"table cell blank ({blank}): {first.sentence}"[:_MAX_DETAIL],
            severity=SEVERITY,
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
            )
    return Check(
        rule.name,
        False,
        expected=expected,
        printed=first.value,
        detail=first.sentence[:_MAX_DETAIL],
        severity=SEVERITY,
    )


def narrative_checks(facts: Sequence[Fact], metrics: Mapping[str, Metric]) -> list[Check]:
    """One check per rule whose prose figure and table cells are both present, in rule order."""
    checks = [_check(rule, facts, metrics) for rule in RULES]
    return [check for check in checks if check is not None]
