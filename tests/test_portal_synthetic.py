"""Synthetic reports: fictional agencies, the template's sums, years and templates, determinism."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import lxml.html
import pytest

from pipeline.extraction.keys import (
    APPLY_COLUMNS,
    APPLY_ORG_COLUMNS,
    APPLY_RESULT_ROWS_2019,
    APPLY_RESULT_ROWS_2021,
    REVIEW_GROUPS,
    TEMPLATE_2019,
    TEMPLATE_2021,
    TEMPLATE_KEYS,
)
from portal.server import SamplePortal
from portal.synthetic import generate

REPORTS = generate(240, seed=3)


def value(metrics: dict[str, float | None], key: str) -> float:
    """A blank cell counts as zero in the template's sums."""
    return metrics[key] or 0


def test_agencies_are_clearly_fictional() -> None:
    assert all("示例" in spec.agency and "示例" in spec.title for spec in REPORTS)


def test_agency_and_year_never_repeat() -> None:
    assert len({(s.agency, s.year) for s in REPORTS}) == len(REPORTS)


def test_years_pick_the_template() -> None:
    assert {s.year for s in REPORTS} == set(range(2019, 2026))
    for spec in REPORTS:
        assert spec.template == (TEMPLATE_2019 if spec.year <= 2020 else TEMPLATE_2021)


def test_every_template_key_has_a_value_or_blank() -> None:
    for spec in REPORTS:
        assert set(spec.metrics) == set(TEMPLATE_KEYS[spec.template])


def test_applicant_columns_sum_to_the_total_column() -> None:
    for spec in REPORTS:
        rows = {
            k.split(".", 1)[1].rsplit(".", 1)[0] for k in spec.metrics if k.startswith("apply.")
        }
        for row in rows:
            parts = sum(value(spec.metrics, f"apply.{row}.{c}") for c in APPLY_COLUMNS[:-1])
            assert parts == spec.metrics[f"apply.{row}.total"], (spec.title, row)


def test_result_rows_sum_to_the_grand_total() -> None:
    for spec in REPORTS:
        rows = APPLY_RESULT_ROWS_2021 if spec.template == TEMPLATE_2021 else APPLY_RESULT_ROWS_2019
        for column in APPLY_COLUMNS:
            results = sum(value(spec.metrics, f"apply.{row}.{column}") for row in rows)
            assert results == value(spec.metrics, f"apply.total.{column}")


def test_received_and_carried_in_equal_handled_and_carried_out() -> None:
    for spec in REPORTS:
        for column in APPLY_COLUMNS:
            incoming = value(spec.metrics, f"apply.new.{column}") + value(
                spec.metrics, f"apply.carried_in.{column}"
            )
            outgoing = value(spec.metrics, f"apply.total.{column}") + value(
                spec.metrics, f"apply.carried_out.{column}"
            )
            assert incoming == outgoing


def test_review_totals_sum_their_outcomes() -> None:
    for spec in REPORTS:
        for group in REVIEW_GROUPS:
            outcomes = ("upheld", "corrected", "other", "pending")
            assert (
                sum(value(spec.metrics, f"{group}.{o}") for o in outcomes)
                == spec.metrics[f"{group}.total"]
            )


def test_numbers_are_mostly_small_and_some_cells_blank() -> None:
    numbers = [
        v for s in REPORTS for k, v in s.metrics.items() if k.startswith("apply.") and v is not None
    ]
    assert sum(1 for v in numbers if v <= 10) / len(numbers) > 0.8
    blanks = [k for s in REPORTS for k, v in s.metrics.items() if v is None]
    assert blanks and all(k.rsplit(".", 1)[1] in APPLY_ORG_COLUMNS for k in blanks)


def test_same_seed_same_reports_other_seed_other_reports() -> None:
    again = generate(240, seed=3)
    assert [(s.title, s.metrics) for s in again] == [(s.title, s.metrics) for s in REPORTS]
    other = generate(240, seed=4)
    assert [s.metrics for s in other] != [s.metrics for s in REPORTS]


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    running = SamplePortal(synthetic=30, seed=2, include_seeds=False).start()
    yield running
    running.stop()


def test_synthetic_reports_spread_over_three_families(portal: SamplePortal) -> None:
    for site in portal.sites:
        assert sum(url.startswith(site.base_url) for url in portal.truth) == 10
    plain = portal.site("plain").base_url
    suffixes = {url.rsplit(".", 1)[1] for url in portal.truth if url.startswith(plain)}
    assert suffixes == {"pdf", "docx"}


def test_served_table_prints_the_generator_values(portal: SamplePortal) -> None:
    hanweb = portal.site("hanweb").base_url
    url, truth = next((u, t) for u, t in portal.truth.items() if u.startswith(hanweb))
    with urllib.request.urlopen(url, timeout=10) as response:
        document = lxml.html.fromstring(response.read().decode("gbk"))
    for row in document.iter("tr"):
        cells = [td.text_content().replace("\xa0", "").strip() for td in row.iter("td")]
        if cells and cells[0] == "（七）总计":
            expected = [truth.metrics[f"apply.total.{c}"] for c in APPLY_COLUMNS]
            assert cells[1:] == ["" if v is None else str(int(v)) for v in expected]
            return
    raise AssertionError("no （七）总计 row")


def test_district_numerals_cover_a_hundred_thousand_reports() -> None:
    from portal.synthetic import agency_name, chinese_numeral

    written = {
        1: "一",
        10: "十",
        11: "十一",
        20: "二十",
        101: "一百零一",
        110: "一百一十",
        2024: "二千零二十四",
    }
    assert {n: chinese_numeral(n) for n in written} == written
    names = {agency_name(index) for index in range(0, 100_000, 7)}
    assert len(names) == len(range(0, 100_000, 7))  # no two fictional agencies share a name
