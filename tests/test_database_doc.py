"""docs/database.md lists the metric keys the code has: its table is the script's output."""

from __future__ import annotations

import runpy

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "database_doc.py"


def test_the_metric_key_table_in_database_md_is_the_one_the_code_makes() -> None:
    script = runpy.run_path(str(SCRIPT))
    page = (ROOT / "docs" / "database.md").read_text(encoding="utf-8")
    start, end = page.index(script["START"]) + len(script["START"]), page.index(script["END"])
    assert page[start:end].strip() == script["metric_keys_markdown"]().strip(), (
        "docs/database.md's metric keys are out of date: put the output of "
        "`.venv/bin/python scripts/database_doc.py` between its metric-keys markers"
    )


def test_every_labelled_key_appears_once_in_the_table() -> None:
    script = runpy.run_path(str(SCRIPT))
    from archive.publish import metric_label_rows

    table = script["metric_keys_markdown"]()
    for row in metric_label_rows():
        assert table.count(f"| `{row['key']}` |") == 1, row["key"]


def test_the_department_types_in_database_md_are_the_ones_the_code_knows() -> None:
    script = runpy.run_path(str(SCRIPT))
    page = (ROOT / "docs" / "database.md").read_text(encoding="utf-8")
    start = page.index(script["DEPARTMENTS_START"]) + len(script["DEPARTMENTS_START"])
    end = page.index(script["DEPARTMENTS_END"])
    assert page[start:end].strip() == script["department_types_markdown"]().strip(), (
        "docs/database.md's department types are out of date: put the second part of the output "
        "of `.venv/bin/python scripts/database_doc.py` between its department-types markers"
    )
