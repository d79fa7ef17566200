"""read_text_tables on the four tabled seed reports, against their hand-checked YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extraction import keys
from pipeline.extraction.tables import TablesResult, read_text_tables
from portal.content import load_seed_truth, seed_metrics, seed_raw, seed_text, seed_truth_paths

TABLED_SEEDS = seed_truth_paths(tabled_only=True)


def _read(path: Path) -> TablesResult:
    return read_text_tables(seed_text(path).decode("utf-8"), load_seed_truth(path).get("year"))


def test_the_four_tabled_seeds_are_found() -> None:
    assert [p.name[:3] for p in TABLED_SEEDS] == ["000", "001", "002", "003"]


@pytest.mark.parametrize("path", TABLED_SEEDS, ids=lambda p: p.name[:3])
def test_seed_template_is_detected(path: Path) -> None:
    assert _read(path).template == str(load_seed_truth(path)["template"])


@pytest.mark.parametrize("path", TABLED_SEEDS, ids=lambda p: p.name[:3])
def test_seed_every_template_key_is_read(path: Path) -> None:
    result = _read(path)
    assert set(result.metrics) == set(keys.TEMPLATE_KEYS[result.template])
    assert result.tables_found == ("active", "apply", "review")


@pytest.mark.parametrize("path", TABLED_SEEDS, ids=lambda p: p.name[:3])
def test_seed_values_equal_hand_checked_truth(path: Path) -> None:
    result = _read(path)
    read = {key: metric.value for key, metric in result.metrics.items()}
    expected = seed_metrics(load_seed_truth(path))
    assert {k: read.get(k) for k in expected} == expected


@pytest.mark.parametrize("path", TABLED_SEEDS, ids=lambda p: p.name[:3])
def test_seed_printed_text_is_kept(path: Path) -> None:
    result = _read(path)
    expected = seed_raw(load_seed_truth(path))
    assert {k: result.metrics[k].raw for k in expected} == expected


@pytest.mark.parametrize("path", TABLED_SEEDS, ids=lambda p: p.name[:3])
def test_seed_reads_without_problems(path: Path) -> None:
    assert _read(path).problems == []


def test_narrative_only_seed_has_no_tables() -> None:
    path = next(p for p in seed_truth_paths() if p.name.startswith("004"))
    result = _read(path)
    assert result.metrics == {}
    assert result.template == keys.TEMPLATE_UNKNOWN
    assert result.problems
