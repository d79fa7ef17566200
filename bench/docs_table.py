"""The latest figures in docs/benchmarks.md, written by the bench from its results, never re-typed.

`write_docs_table(results, path)` replaces what stands between the markers `<!-- bench:start -->`
and `<!-- bench:end -->` in `path` with a Markdown table of `results` (the shape of
bench/results.json): the machine it ran on, each figure with the date its stage was measured, and
the serve stage's requests one by one. Everything outside the markers is left as it was.
`bench/run.py` calls it after a full-scale run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from summary import MISSING, serve_rows, summary_rows

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
DOCS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


class MarkersMissing(ValueError):
    """The page lacks the markers (or has them out of order), so there is no block to replace."""


def _date(stamp: str | None) -> str:
    return stamp[:10] if stamp else MISSING


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def machine_line(machine: dict[str, Any]) -> str:
    """'2 cores (AMD EPYC …), 23.5 GB RAM, Python 3.11.7' from results["machine"]."""
    parts = [f"{machine.get('cpus', MISSING)} cores ({machine.get('cpu', 'CPU unknown')})"]
    if "memory_gb" in machine:
        parts.append(f"{machine['memory_gb']} GB RAM")
    if "python" in machine:
        parts.append(f"Python {machine['python']}")
    return ", ".join(parts)


def markdown_block(results: dict[str, Any]) -> str:
    """The figures of `results` as the Markdown that goes between the markers."""
    dates = results.get("stage_measured_at", {})
    fallback = results.get("measured_at")
    lines = [
        f"Measured by `make bench` (scale `{results.get('scale', MISSING)}`) on "
        f"{machine_line(results.get('machine', {}))}; written from `bench/results.json` by "
        "`bench/docs_table.py`.",
        "",
        "| figure | measured | ratio | aim | date |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in summary_rows(results):
        date = _date(dates.get(row.stage, fallback))
        cells = (row.name, row.measured, row.ratio, row.aim, date)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    requests = serve_rows(results)
    if requests:
        lines += ["", "| serve request | p50 ms | p95 ms |", "| --- | --- | --- |"]
        lines += [f"| {_cell(name)} | {p50} | {p95} |" for name, p50, p95 in requests]
    return "\n".join(lines)


def replace_block(page: str, block: str) -> str:
    """`page` with the text between the markers replaced by `block`, the rest untouched."""
    start, end = page.find(START), page.find(END)
    if start < 0 or end < start:
        raise MarkersMissing(f"expected {START} … {END} in the page")
    return page[: start + len(START)] + "\n" + block + "\n" + page[end:]


def write_docs_table(results: dict[str, Any], path: Path = DOCS_PAGE) -> None:
    """Rewrite the block of figures in `path` from `results`."""
    page = path.read_text(encoding="utf-8")
    path.write_text(replace_block(page, markdown_block(results)), encoding="utf-8")
