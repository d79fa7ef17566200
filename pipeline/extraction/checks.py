"""The accounting identities (勾稽关系) a report's own tables must satisfy, evaluated as printed.

Rules (names are stable: they are stored and queried):

* `apply.balance.<col>`: 一 新收 + 二 上年结转 = （七）总计 + 四 结转下年度, per applicant column
  (the template prints this identity above table 三);
* `apply.total_is_sum.<col>`: （七）总计 = the sum of the result rows （一）…（六）, per column
  (in a hybrid 2021 table, （六） is its single printed row `apply.other.single`);
* `apply.row_total.<row>`: the 总计 column = the six applicant columns, per row;
* `apply.row_subtotal.<row>`: a printed 法人小计 = the five legal-person columns, per row;
* `review.total_is_sum.<group>`: 总计 = 维持 + 纠正 + 其他 + 尚未审结, for 行政复议 and both
  kinds of 行政诉讼.

`passed` is None when a needed cell is blank (verdict `unverifiable`); the printed numbers are
never changed. A check's evidence is every cell it read as printed, in the rule's order (the
detail names them): `3 + 0 + 2 = 5; printed 5`, a blank cell as （空）.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from pipeline.extraction import keys
from pipeline.extraction.report import Check, Metric

# Printed figures are integers or money with a few decimals; this absorbs float noise only.
TOLERANCE = 1e-6

_RESULT_ROWS = {
    keys.TEMPLATE_2019: keys.APPLY_RESULT_ROWS_2019,
    keys.TEMPLATE_2021: keys.APPLY_RESULT_ROWS_2021,
}
_APPLY_ROWS = {keys.TEMPLATE_2019: keys.APPLY_ROWS_2019, keys.TEMPLATE_2021: keys.APPLY_ROWS_2021}
_APPLICANT_COLUMNS = keys.APPLY_COLUMNS[:-1]


def _identity(
    rule: str,
    metrics: Mapping[str, Metric],
    shown: Mapping[str, str],
    parts: tuple[str, ...],
    printed_keys: tuple[str, ...],
    what: str,
) -> Check | None:
    """sum(parts) == sum(printed_keys), or None when some key is not in the metrics at all.
    `shown` holds every metric as printed (`_printed`), for the evidence."""
    all_keys = parts + printed_keys
    try:
        values = [metrics[key].value for key in all_keys]
    except KeyError:
        return None
    part_text = " + ".join([shown[key] for key in parts])
    total_text = " + ".join([shown[key] for key in printed_keys])
    if None in values:
        evidence = f"{part_text}; printed {total_text}"
        blank = [key for key, value in zip(all_keys, values, strict=True) if value is None]
        return Check(rule, None, detail=f"{what}; blank: {', '.join(blank)}", evidence=evidence)
    expected = sum([value or 0.0 for value in values[: len(parts)]])
    printed = sum([value or 0.0 for value in values[len(parts) :]])
    passed = abs(expected - printed) <= TOLERANCE
    evidence = f"{part_text} = {expected:g}; printed {total_text}" + (
        f" = {printed:g}" if len(printed_keys) > 1 else ""
    )
    return Check(rule, passed, expected=expected, printed=printed, detail=what, evidence=evidence)


def _printed(metric: Metric) -> str:
    """A cell as printed, for the evidence (`3`, `2,727`); a blank cell is （空）."""
    raw = metric.raw.strip()
    if raw:
        return raw
    return "（空）" if metric.value is None else f"{metric.value:g}"


# A rule as data: its name, the keys summed on each side, and what it says.
_Rule = tuple[str, tuple[str, ...], tuple[str, ...], str]


def _hybrid_rows(rows: tuple[str, ...]) -> tuple[str, ...]:
    """`rows` with the 2021 form's three 其他处理 rows replaced by the single row a hybrid table
    prints (`keys.APPLY_HYBRID_OTHER_ROW`)."""
    kept = [row for row in rows if not row.startswith("other.")]
    at = next(i for i, row in enumerate(rows) if row.startswith("other."))
    return (*kept[:at], keys.APPLY_HYBRID_OTHER_ROW, *kept[at:])


@cache
def _apply_rules(template: str, has_subtotal: bool, hybrid: bool) -> tuple[_Rule, ...]:
    rows = _APPLY_ROWS[template]
    result_rows = _RESULT_ROWS[template]
    if hybrid:
        rows, result_rows = _hybrid_rows(rows), _hybrid_rows(result_rows)
    columns = keys.APPLY_COLUMNS + ((keys.APPLY_SUBTOTAL_COLUMN,) if has_subtotal else ())
    rules: list[_Rule] = []
    for column in columns:
        rules.append(
            (
                f"apply.balance.{column}",
                (f"apply.new.{column}", f"apply.carried_in.{column}"),
                (f"apply.total.{column}", f"apply.carried_out.{column}"),
                f"{column}: 新收 + 上年结转 = 总计 + 结转下年度",
            )
        )
        rules.append(
            (
                f"apply.total_is_sum.{column}",
                tuple(f"apply.{row}.{column}" for row in result_rows),
                (f"apply.total.{column}",),
                f"{column}: （七）总计 = （一）…（六）",
            )
        )
    for row in rows:
        rules.append(
            (
                f"apply.row_total.{row}",
                tuple(f"apply.{row}.{column}" for column in _APPLICANT_COLUMNS),
                (f"apply.{row}.total",),
                f"{row}: 总计 = 自然人 + 五类法人或其他组织",
            )
        )
        if has_subtotal:
            rules.append(
                (
                    f"apply.row_subtotal.{row}",
                    tuple(f"apply.{row}.{column}" for column in keys.APPLY_ORG_COLUMNS),
                    (f"apply.{row}.{keys.APPLY_SUBTOTAL_COLUMN}",),
                    f"{row}: 法人小计 = 五类法人或其他组织",
                )
            )
    return tuple(rules)


_REVIEW_RULES: tuple[_Rule, ...] = tuple(
    (
        f"review.total_is_sum.{group}",
        tuple(f"{group}.{outcome}" for outcome in keys.REVIEW_OUTCOMES[:-1]),
        (f"{group}.total",),
        f"{group}: 总计 = 维持 + 纠正 + 其他 + 尚未审结",
    )
    for group in keys.REVIEW_GROUPS
)
_SUBTOTAL_SUFFIX = f".{keys.APPLY_SUBTOTAL_COLUMN}"


def _rules_for(template: str, metrics: Mapping[str, Metric]) -> tuple[_Rule, ...]:
    rules: tuple[_Rule, ...] = ()
    if template in _APPLY_ROWS:
        has_subtotal = any(
            key.endswith(_SUBTOTAL_SUFFIX) and key.startswith("apply.") for key in metrics
        )
        hybrid = (
            template == keys.TEMPLATE_2021
            and f"apply.{keys.APPLY_HYBRID_OTHER_ROW}.total" in metrics
        )
        rules = _apply_rules(template, has_subtotal, hybrid)
    return rules + _REVIEW_RULES


def rule_cells(template: str, metrics: Mapping[str, Metric]) -> dict[str, tuple[str, ...]]:
    """Each rule `check_tables` evaluates for these metrics → the metric keys it reads."""
    return {name: parts + totals for name, parts, totals, _what in _rules_for(template, metrics)}


def check_tables(template: str, metrics: dict[str, Metric]) -> list[Check]:
    """Every identity that applies to the tables present in `metrics`, in a stable order."""
    checks = []
    # Every cell as printed, once: most are read by two or three rules.
    shown = {key: _printed(metric) for key, metric in metrics.items()}
    for name, parts, totals, what in _rules_for(template, metrics):
        check = _identity(name, metrics, shown, parts, totals, what)
        if check is not None:
            checks.append(check)
    return checks
