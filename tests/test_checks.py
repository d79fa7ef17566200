"""check_tables: the 勾稽关系 of tables 三 and 四, evaluated on the printed numbers."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from pipeline.extraction import keys
from pipeline.extraction.checks import check_tables
from pipeline.extraction.report import Metric
from pipeline.extraction.tables import read_text_tables
from portal.content import load_seed_truth, seed_text, seed_truth_paths


def consistent_metrics(template: str = keys.TEMPLATE_2019, seed: int = 7) -> dict[str, Metric]:
    """A table 三 and 四 whose identities all hold, built from random parts by summing."""
    rng = random.Random(seed)
    rows = keys.APPLY_ROWS_2019 if template == keys.TEMPLATE_2019 else keys.APPLY_ROWS_2021
    result_rows = rows[2:-2]
    cells: dict[str, dict[str, int]] = {}
    for row in ("carried_in", "carried_out", *result_rows):
        cells[row] = {column: rng.randint(0, 30) for column in keys.APPLY_COLUMNS[:-1]}
    cells["total"] = {
        column: sum(cells[row][column] for row in result_rows) for column in keys.APPLY_COLUMNS[:-1]
    }
    cells["new"] = {
        column: cells["total"][column] + cells["carried_out"][column] - cells["carried_in"][column]
        for column in keys.APPLY_COLUMNS[:-1]
    }
    metrics: dict[str, Metric] = {}
    for row, by_column in cells.items():
        by_column["total"] = sum(by_column.values())
        for column, value in by_column.items():
            key = f"apply.{row}.{column}"
            metrics[key] = Metric(key, float(value), str(value))
    for group in keys.REVIEW_GROUPS:
        parts = [rng.randint(0, 5) for _ in range(4)]
        for outcome, value in zip(keys.REVIEW_OUTCOMES, [*parts, sum(parts)], strict=True):
            key = f"{group}.{outcome}"
            metrics[key] = Metric(key, float(value), str(value))
    return metrics


def set_value(metrics: dict[str, Metric], key: str, value: float | None) -> None:
    metrics[key] = replace(metrics[key], value=value, raw="" if value is None else str(value))


def by_rule(metrics: dict[str, Metric], template: str = keys.TEMPLATE_2019):
    return {check.rule: check for check in check_tables(template, metrics)}


def test_consistent_2019_tables_pass_every_check() -> None:
    checks = check_tables(keys.TEMPLATE_2019, consistent_metrics())
    assert checks and all(check.passed is True for check in checks)


def test_consistent_2021_tables_pass_every_check() -> None:
    checks = check_tables(keys.TEMPLATE_2021, consistent_metrics(keys.TEMPLATE_2021))
    assert checks and all(check.passed is True for check in checks)


def test_rule_names_cover_every_column_row_and_group() -> None:
    rules = set(by_rule(consistent_metrics()))
    assert {f"apply.balance.{c}" for c in keys.APPLY_COLUMNS} <= rules
    assert {f"apply.total_is_sum.{c}" for c in keys.APPLY_COLUMNS} <= rules
    assert {f"apply.row_total.{r}" for r in keys.APPLY_ROWS_2019} <= rules
    assert {f"review.total_is_sum.{g}" for g in keys.REVIEW_GROUPS} <= rules


def test_wrong_grand_total_fails_total_is_sum_with_both_numbers() -> None:
    metrics = consistent_metrics()
    right = metrics["apply.total.natural"].value
    assert right is not None
    set_value(metrics, "apply.total.natural", right + 1)
    check = by_rule(metrics)["apply.total_is_sum.natural"]
    assert check.passed is False
    assert (check.expected, check.printed) == (right, right + 1)


def test_wrong_grand_total_also_breaks_the_balance() -> None:
    metrics = consistent_metrics()
    set_value(metrics, "apply.total.business", (metrics["apply.total.business"].value or 0) + 2)
    assert by_rule(metrics)["apply.balance.business"].passed is False


def test_wrong_row_total_fails_row_total() -> None:
    metrics = consistent_metrics()
    set_value(metrics, "apply.granted.total", (metrics["apply.granted.total"].value or 0) - 1)
    assert by_rule(metrics)["apply.row_total.granted"].passed is False


def test_wrong_review_total_fails_review_check() -> None:
    metrics = consistent_metrics()
    set_value(
        metrics, "litigation.direct.total", (metrics["litigation.direct.total"].value or 0) + 3
    )
    results = by_rule(metrics)
    assert results["review.total_is_sum.litigation.direct"].passed is False
    assert results["review.total_is_sum.review"].passed is True


def test_blank_cell_makes_check_undecided() -> None:
    metrics = consistent_metrics()
    set_value(metrics, "apply.denied.secret.legal", None)
    results = by_rule(metrics)
    assert results["apply.row_total.denied.secret"].passed is None
    assert results["apply.total_is_sum.legal"].passed is None
    assert results["apply.total_is_sum.natural"].passed is True


def test_printed_numbers_are_not_corrected() -> None:
    metrics = consistent_metrics()
    set_value(metrics, "apply.total.total", 99999.0)
    before = dict(metrics)
    check_tables(keys.TEMPLATE_2019, metrics)
    assert metrics == before


def test_org_subtotal_is_checked_when_printed() -> None:
    metrics = consistent_metrics()
    orgs = sum(metrics[f"apply.new.{c}"].value or 0 for c in keys.APPLY_ORG_COLUMNS)
    metrics["apply.new.org_subtotal"] = Metric("apply.new.org_subtotal", orgs + 1, str(orgs + 1))
    assert by_rule(metrics)["apply.row_subtotal.new"].passed is False


def test_no_tables_no_checks() -> None:
    assert check_tables(keys.TEMPLATE_UNKNOWN, {}) == []


def _seed(prefix: str) -> Path:
    return next(p for p in seed_truth_paths(tabled_only=True) if p.name.startswith(prefix))


def test_seed_001_tables_balance() -> None:
    # Hand-checked in the YAML: 新收 178 + 结转 12 = 总计 189 + 结转下年度 1.
    path = _seed("001")
    result = read_text_tables(seed_text(path).decode("utf-8"), load_seed_truth(path)["year"])
    checks = check_tables(result.template, result.metrics)
    assert by_rule(result.metrics)["apply.balance.total"].passed is True
    assert all(check.passed is True for check in checks)


def test_seed_002_blank_applicant_columns_leave_checks_undecided() -> None:
    path = _seed("002")
    result = read_text_tables(seed_text(path).decode("utf-8"), load_seed_truth(path)["year"])
    results = by_rule(result.metrics)
    assert results["apply.row_total.new"].passed is None
    assert results["apply.balance.total"].passed is True
