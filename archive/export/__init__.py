"""The downloads (`nianbao export`, `make release`, and a crawl's publishing when configured): a slim
SQLite, CSV and Parquet of the main tables, a data dictionary, optionally the archive as a WACZ, all
described by a Frictionless `datapackage.json` and a `SHA256SUMS`.

Each job has its module: `slim` (the small database), `tables` (CSV and Parquet), `dictionary`,
`package` (data package and checksums), `wacz` (the archive). Files are written beside each other in
one folder and each replaces its previous version whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from archive.export.dictionary import (
    Entry,
    dictionary_entries,
    load_metadata,
    write_dictionary_csv,
    write_dictionary_markdown,
)
from archive.export.package import PACKAGE_FILE, SUMS_FILE, Resource, write_package
from archive.export.slim import (
    SLIM_TABLES,
    SLIM_VIEWS,
    STORAGE_TABLES,
    is_slim_export,
    write_slim_db,
)
from archive.export.tables import TABULAR, ExportError, write_csv, write_parquet
from archive.export.wacz import WACZ_FILE, WaczError, validate_wacz, write_wacz

__all__ = [
    "PACKAGE_FILE",
    "SLIM_DB",
    "SUMS_FILE",
    "WACZ_FILE",
    "ExportError",
    "ExportSummary",
    "WaczError",
    "export_release",
    "is_slim_export",
    "validate_wacz",
]

SLIM_DB = "nianbao-data.db"
# Datasette's descriptions, which the data dictionary and the data package's fields are labelled from.
METADATA = Path(__file__).resolve().parents[2] / "datasette" / "metadata.yml"
DICTIONARY = "data-dictionary"
STAGING = ".export-partial"


@dataclass
class ExportSummary:
    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)  # rows per tabular file's table
    files: dict[str, int] = field(default_factory=dict)  # bytes per file written
    wacz_pages: int | None = None
    seconds: float = 0.0


def _schema(entries: list[Entry], table: str) -> dict[str, object]:
    fields = []
    for entry in entries:
        if entry.kind == "column" and entry.table == table:
            field_ = {"name": entry.name, "type": entry.type}
            if entry.label_zh:
                field_["title"] = entry.label_zh
            if entry.label_en:
                field_["description"] = entry.label_en
            fields.append(field_)
    return {"fields": fields}


def _title(entries: list[Entry], table: str) -> str:
    for entry in entries:
        if entry.kind == "table" and entry.table == table:
            return " · ".join(part for part in (entry.label_zh, entry.label_en) if part) or table
    return table


def export_release(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    metadata_path: str | Path = METADATA,
    archive_dir: str | Path | None = None,
    wacz: bool = False,
) -> ExportSummary:
    """Write the downloads of the database at `db_path` into `out_dir` (created if missing);
    with `wacz`, also the WARC archive of `archive_dir` as a WACZ."""
    started = time.perf_counter()
    db_path, final = Path(db_path), Path(out_dir)
    final.mkdir(parents=True, exist_ok=True)
    # Written beside the previous export, then moved over it file by file: Datasette serving the
    # folder never lists a half-written file, and a failed export leaves the previous one whole.
    out = final / STAGING
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    try:
        summary = _write_all(db_path, out, Path(metadata_path), archive_dir, wacz)
        for name in sorted(summary.files, key=lambda n: n == SUMS_FILE):
            os.replace(out / name, final / name)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    summary.out_dir = final
    summary.seconds = time.perf_counter() - started
    return summary


def _write_all(
    db_path: Path, out: Path, metadata_path: Path, archive_dir: str | Path | None, wacz: bool
) -> ExportSummary:
    summary = ExportSummary(out)
    write_slim_db(db_path, out / SLIM_DB)
    conn = sqlite3.connect(f"file:{(out / SLIM_DB).resolve()}?mode=ro", uri=True)
    try:
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        described = [t for t in (*SLIM_TABLES, *SLIM_VIEWS, *STORAGE_TABLES) if t in present]
        entries = dictionary_entries(conn, described, load_metadata(metadata_path))
        resources = [
            Resource(
                SLIM_DB,
                "nianbao-data",
                "sqlite",
                "application/vnd.sqlite3",
                "精简数据库（无正文）· Slim database (no report texts)",
                extra={"tables": described},
            )
        ]
        for table in TABULAR:
            for suffix, writer, fmt, mediatype, extra in (
                ("csv", write_csv, "csv", "text/csv", {"encoding": "utf-8-sig"}),
                ("parquet", write_parquet, "parquet", "application/vnd.apache.parquet", {}),
            ):
                name = f"{table}.{suffix}"
                summary.rows[table] = writer(conn, table, out / name)
                resources.append(
                    Resource(
                        name,
                        f"{table}-{suffix}",
                        fmt,
                        mediatype,
                        _title(entries, table),
                        schema=_schema(entries, table),
                        extra=extra,
                    )
                )
    finally:
        conn.close()
    write_dictionary_csv(entries, out / f"{DICTIONARY}.csv")
    write_dictionary_markdown(entries, out / f"{DICTIONARY}.md")
    resources += [
        Resource(
            f"{DICTIONARY}.csv",
            "data-dictionary-csv",
            "csv",
            "text/csv",
            "数据字典 · Data dictionary",
            schema={
                "fields": [
                    {"name": n, "type": "string"}
                    for n in ("kind", "table", "name", "type", "unit", "label_zh", "label_en")
                ]
            },
            extra={"encoding": "utf-8-sig"},
        ),
        Resource(
            f"{DICTIONARY}.md",
            "data-dictionary-md",
            "md",
            "text/markdown",
            "数据字典 · Data dictionary",
        ),
    ]
    if wacz:
        if archive_dir is None:
            raise WaczError("a WACZ needs the archive directory")
        summary.wacz_pages = write_wacz(db_path, Path(archive_dir), out / WACZ_FILE)
        resources.append(
            Resource(
                WACZ_FILE,
                "nianbao-archive",
                "wacz",
                "application/wacz",
                "存档原件（WACZ）· The archived originals (WACZ 1.2)",
            )
        )
    write_package(out, resources)
    for name in [resource.path for resource in resources] + [PACKAGE_FILE, SUMS_FILE]:
        summary.files[name] = (out / name).stat().st_size
    return summary
