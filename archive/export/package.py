"""What describes the downloads: a Frictionless data package (`datapackage.json`, every file with its
size, SHA-256 and, for the tables, a schema of typed and labelled fields) and a `SHA256SUMS` that
`sha256sum -c SHA256SUMS` verifies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PACKAGE_FILE = "datapackage.json"
SUMS_FILE = "SHA256SUMS"
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}


@dataclass
class Resource:
    """One file of the release and what the data package says of it."""

    path: str
    name: str
    format: str
    mediatype: str
    title: str
    schema: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_package(out_dir: Path, resources: list[Resource]) -> dict[str, str]:
    """Write datapackage.json, then SHA256SUMS over every resource and the package itself;
    returns {file name: SHA-256}."""
    sums: dict[str, str] = {}
    described = []
    for resource in resources:
        path = out_dir / resource.path
        sums[resource.path] = sha256_of(path)
        entry: dict[str, Any] = {
            "name": resource.name,
            "path": resource.path,
            "title": resource.title,
            "format": resource.format,
            "mediatype": resource.mediatype,
            "bytes": path.stat().st_size,
            "hash": f"sha256:{sums[resource.path]}",
            "profile": "tabular-data-resource" if resource.schema else "data-resource",
            **resource.extra,
        }
        if resource.schema:
            entry["schema"] = resource.schema
        described.append(entry)
    package = {
        "profile": "data-package",
        "name": "nianbao",
        "title": "nianbao 年报 · 政府信息公开工作年度报告开放档案",
        "description": "Annual reports on government information disclosure published by Chinese "
        "government agencies: their statistical tables read into numbers, with their accounting "
        "checks. Numbers are as printed, never corrected.",
        "homepage": "https://github.com/nianbao-archive/nianbao",
        "licenses": [LICENSE],
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "resources": described,
    }
    package_path = out_dir / PACKAGE_FILE
    package_path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", "utf-8")
    sums[PACKAGE_FILE] = sha256_of(package_path)
    lines = [f"{digest}  {name}" for name, digest in sorted(sums.items())]
    (out_dir / SUMS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sums
