"""Print the metric-key table of docs/database.md from the code, so the page never drifts from it.

    .venv/bin/python scripts/database_doc.py

The rows are those of the `metric_labels` table (`archive.publish.metric_label_rows`, built from
the keys of `pipeline/extraction/keys.py` and the template wording), then the pre-2019 keys, which have no
template label. The output goes between `<!-- metric-keys:start -->` and `<!-- metric-keys:end -->`
in docs/database.md; then the department types of `agencies.department_type`
(`archive/placement/kinds.py`), between `<!-- department-types:start -->` and
`<!-- department-types:end -->`. `tests/test_database_doc.py` fails when the page is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.placement.kinds import DEPARTMENT_WORDS  # noqa: E402
from archive.publish import metric_label_rows  # noqa: E402
from pipeline.extraction.keys import PRE2019_KEYS  # noqa: E402

START = "<!-- metric-keys:start -->"
END = "<!-- metric-keys:end -->"
DEPARTMENTS_START = "<!-- department-types:start -->"
DEPARTMENTS_END = "<!-- department-types:end -->"


def metric_keys_markdown() -> str:
    """The metric keys as Markdown: one table row per labelled key, then the pre-2019 keys."""
    lines = [
        "| key | table | label as printed | English | unit | templates |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in metric_label_rows():
        cells = (
            f"`{row['key']}`",
            str(row["table"]),
            str(row["label_zh"]),
            str(row["label_en"]),
            str(row["unit"]),
            str(row["templates"]),
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines += [
        "",
        f"Pre-2019 reports (template `pre2019`, the old 统计表; nianbao's own keys, not in "
        f"`metric_labels`), {len(PRE2019_KEYS)} keys: "
        + ", ".join(f"`{key}`" for key in PRE2019_KEYS)
        + ".",
    ]
    return "\n".join(lines)


def department_types_markdown() -> str:
    """The normalised department types of `agencies.department_type` and the words giving each."""
    lines = ["| `department_type` | words in the name |", "| --- | --- |"]
    for kind, words in DEPARTMENT_WORDS.items():
        lines.append(f"| {kind} | {'、'.join(words)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(metric_keys_markdown())
    print()
    print(department_types_markdown())
