"""`nianbao extract` reads a saved file or a URL and prints the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_nianbao
from test_extract import TABLED_SEEDS, render_docx
from test_legacy_word import legacy

from portal.content import SEEDS_DIR, load_seed_truth, seed_metrics
from portal.server import SamplePortal

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


def test_extract_a_url_prints_its_report_as_json() -> None:
    with SamplePortal(include_seeds=True) as portal:
        url = next(
            u
            for u, t in portal.truth.items()
            if t.agency == "洛阳市人民政府办公室" and u.endswith(".htm")
        )
        result = run_nianbao("extract", url, "--json")
    report = json.loads(result.stdout)
    assert report["status"] == "ok" and report["year"] == 2020
    expected = seed_metrics(load_seed_truth(SEEDS_DIR / "001_fc8dd0114ccc9bd3.yaml"))
    assert {k: report["metrics"][k]["value"] for k in expected} == expected


def test_extract_a_saved_text_file_prints_a_summary() -> None:
    result = run_nianbao("extract", str(SEEDS_DIR / "002_f8b9c33d63190000.txt"))
    assert "agency    清远市民政局" in result.stdout and "template  2019" in result.stdout


def test_extract_a_saved_doc_file_prints_a_summary(office: object, tmp_path: Path) -> None:
    path = tmp_path / "2020nb.doc"
    path.write_bytes(legacy(office, render_docx(TABLED_SEEDS[0])))  # type: ignore[arg-type]
    result = run_nianbao("extract", str(path))
    agency = load_seed_truth(TABLED_SEEDS[0])["agency"]
    assert "status    ok" in result.stdout and f"agency    {agency}" in result.stdout


def test_extract_a_missing_file_says_so() -> None:
    result = run_nianbao("extract", "no/such/file.html", check=False)
    assert result.returncode != 0 and "no such file" in result.stderr


def test_extract_json_says_where_each_pdf_number_was_printed(tmp_path: Path) -> None:
    from portal.file_render import render_pdf
    from portal.synthetic import generate

    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(generate(1, seed=3)[0]))
    metrics = json.loads(run_nianbao("extract", str(path), "--json").stdout)["metrics"]
    printed = [metric for metric in metrics.values() if metric["raw"]]
    assert printed
    for metric in printed:
        assert metric["page"] >= 1
        x0, top, x1, bottom = metric["bbox"]
        assert x0 < x1 and top < bottom
