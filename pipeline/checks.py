"""The accounting identities (勾稽关系) a report's own tables must satisfy, evaluated as printed.

Rules (names are stable: they are stored and queried):

* `apply.balance.<col>`: 一 新收 + 二 上年结转 = （七）总计 + 四 结转下年度, per applicant column
  (the template prints this identity above table 三);
* `apply.total_is_sum.<col>`: （七）总计 = the sum of the result rows （一）…（六）, per column;
* `apply.row_total.<row>`: the 总计 column = the six applicant columns, per row;
* `apply.row_subtotal.<row>`: a printed 法人小计 = the five legal-person columns, per row;
* `review.total_is_sum.<group>`: 总计 = 维持 + 纠正 + 其他 + 尚未审结, for 行政复议 and both
  kinds of 行政诉讼.

`passed` is None when a needed cell is blank; the printed numbers are never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pipeline import keys
from pipeline.report import Check, Metric

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
    parts: Iterable[str],
    printed_keys: Iterable[str],
    what: str,
) -> Check | None:
    """sum(parts) == sum(printed_keys), or None when some key is not in the metrics at all."""
    part_keys, total_keys = list(parts), list(printed_keys)
    if any(key not in metrics for key in part_keys + total_keys):
        return None
    blank = [key for key in part_keys + total_keys if metrics[key].value is None]
    if blank:
        return Check(rule, None, detail=f"{what}; blank: {', '.join(blank)}")
    expected = sum(metrics[key].value or 0.0 for key in part_keys)
    printed = sum(metrics[key].value or 0.0 for key in total_keys)
    passed = abs(expected - printed) <= TOLERANCE
    return Check(rule, passed, expected=expected, printed=printed, detail=what)


def _apply_checks(template: str, metrics: Mapping[str, Metric]) -> list[Check | None]:
    rows = _APPLY_ROWS[template]
    result_rows = _RESULT_ROWS[template]
    has_subtotal = any(
        key.endswith(f".{keys.APPLY_SUBTOTAL_COLUMN}") and key.startswith("apply.")
        for key in metrics
    )
    columns = keys.APPLY_COLUMNS + ((keys.APPLY_SUBTOTAL_COLUMN,) if has_subtotal else ())
    checks: list[Check | None] = []
    for column in columns:
        checks.append(
            _identity(
                f"apply.balance.{column}",
                metrics,
                [f"apply.new.{column}", f"apply.carried_in.{column}"],
                [f"apply.total.{column}", f"apply.carried_out.{column}"],
                f"{column}: 新收 + 上年结转 = 总计 + 结转下年度",
            )
        )
        checks.append(
            _identity(
                f"apply.total_is_sum.{column}",
                metrics,
                [f"apply.{row}.{column}" for row in result_rows],
                [f"apply.total.{column}"],
                f"{column}: （七）总计 = （一）…（六）",
            )
        )
    for row in rows:
        checks.append(
            _identity(
                f"apply.row_total.{row}",
                metrics,
                [f"apply.{row}.{column}" for column in _APPLICANT_COLUMNS],
                [f"apply.{row}.total"],
                f"{row}: 总计 = 自然人 + 五类法人或其他组织",
            )
        )
        if has_subtotal:
            checks.append(
                _identity(
                    f"apply.row_subtotal.{row}",
                    metrics,
                    [f"apply.{row}.{column}" for column in keys.APPLY_ORG_COLUMNS],
                    [f"apply.{row}.{keys.APPLY_SUBTOTAL_COLUMN}"],
                    f"{row}: 法人小计 = 五类法人或其他组织",
                )
            )
    return checks


def _review_checks(metrics: Mapping[str, Metric]) -> list[Check | None]:
    return [
        _identity(
            f"review.total_is_sum.{group}",
            metrics,
            [f"{group}.{outcome}" for outcome in keys.REVIEW_OUTCOMES[:-1]],
            [f"{group}.total"],
            f"{group}: 总计 = 维持 + 纠正 + 其他 + 尚未审结",
        )
        for group in keys.REVIEW_GROUPS
    ]


def check_tables(template: str, metrics: dict[str, Metric]) -> list[Check]:
    """Every identity that applies to the tables present in `metrics`, in a stable order."""
    checks: list[Check | None] = []
    if template in _APPLY_ROWS:
        checks += _apply_checks(template, metrics)
    checks += _review_checks(metrics)
    return [check for check in checks if check is not None]
