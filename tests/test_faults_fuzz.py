"""The extraction fuzzing run of `bench/fuzz_extract.py`, small: damaged documents give structured results."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_damaged_documents_of_every_type_yield_a_structured_result_never_an_exception() -> None:
    spec = importlib.util.spec_from_file_location(
        "fuzz_extract", ROOT / "bench" / "fuzz_extract.py"
    )
    assert spec and spec.loader
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    statuses = fuzz.run(examples=150, seed=1)
    assert sum(statuses.values()) >= 100
