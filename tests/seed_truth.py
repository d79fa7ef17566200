"""Load a seed's hand-checked YAML (portal/seeds/*.yaml) as {metric key: value} and {key: raw}.

The YAML lists each table row's values in template column order (see the comment at the top of
each seed YAML); this module only spells those lists out under the metric keys of pipeline/keys.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pipeline.extraction import keys

SEEDS_DIR = Path(__file__).resolve().parent.parent / "portal" / "seeds"

_ACTIVE_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    keys.TEMPLATE_2019: {
        "rules": ("made", "published", "total"),
        "normative": ("made", "published", "total"),
        "licensing": ("prev", "change", "decisions"),
        "other_services": ("prev", "change", "decisions"),
        "penalty": ("prev", "change", "decisions"),
        "coercion": ("prev", "change", "decisions"),
        "fees": ("prev", "change"),
        "procurement": ("count", "amount"),
    },
    keys.TEMPLATE_2021: {
        "rules": ("issued", "repealed", "in_force"),
        "normative": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "coercion": ("decisions",),
        "fees": ("amount",),
    },
}


def seed_paths(tabled_only: bool = True) -> list[Path]:
    """The seed YAML files, by default only those whose report has statistical tables."""
    paths = sorted(SEEDS_DIR.glob("*.yaml"))
    if tabled_only:
        paths = [p for p in paths if load_yaml(p).get("template") in keys.TEMPLATE_KEYS]
    return paths


def load_yaml(path: Path) -> dict[str, Any]:
    """The parsed YAML document."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def seed_text(path: Path) -> str:
    """The seed report text the YAML describes."""
    return (SEEDS_DIR / load_yaml(path)["seed"]).read_text(encoding="utf-8")


def expected_values(path: Path) -> dict[str, float | None]:
    """{metric key: value} for every table cell the YAML gives."""
    truth = load_yaml(path)
    template = str(truth["template"])
    values: dict[str, float | None] = {}
    for row, cells in (truth.get("active") or {}).items():
        for column, cell in zip(_ACTIVE_COLUMNS[template][row], cells, strict=True):
            values[f"active.{row}.{column}"] = cell
    for row, cells in (truth.get("apply") or {}).items():
        for column, cell in zip(keys.APPLY_COLUMNS, cells, strict=True):
            values[f"apply.{row}.{column}"] = cell
    for group, cells in (truth.get("review") or {}).items():
        for outcome, cell in zip(keys.REVIEW_OUTCOMES, cells, strict=True):
            values[f"{group}.{outcome}"] = cell
    return {key: None if v is None else float(v) for key, v in values.items()}


def expected_raw(path: Path) -> dict[str, str]:
    """{metric key: printed text} where the YAML records the text (not a plain number)."""
    return dict(load_yaml(path).get("raw") or {})
