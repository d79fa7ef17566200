"""Serving a nianbao database with Datasette: read-only, immutable, with our configuration directory.

Immutable mode (`-i`) lets Datasette skip locking and count rows once (from an inspect file written
next to the database), and lets visitors download the whole database. Datasette names a database
after its file, and the configuration directory (descriptions, canned queries, dashboards, the
report page) describes one named "nianbao": a file called anything else is published through a
link named nianbao.db, so the whole configuration applies whatever the file is called.

Live mode (`live=True`) serves a database a crawl is still writing: no `-i` and no inspect file
(both promise the file never changes), nothing written to it first; Datasette then opens it with
`?mode=ro` connections, which in WAL mode read the last committed state without ever taking a
lock the writer could be refused.

A slim export (`nianbao export`'s nianbao-data.db) is served as it is: it lacks the texts and search
indexes on purpose. The downloads folder, when given, is served under /downloads/ and listed on the
home page; the archive folder, when given, lets the report page replay the archived original.
Both reach Datasette's plugins as environment variables (DOWNLOADS_ENV, ARCHIVE_ENV).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlite_utils

from archive.export import is_slim_export
from archive.publish import is_prepared, prepare_for_publishing
from archive.schema import SCHEMA_VERSION, ensure_schema, schema_version

SQL_TIME_LIMIT_MS = 5000
MAX_RETURNED_ROWS = 2000
DATABASE_NAME = "nianbao"
DOWNLOADS_ENV = "NIANBAO_DOWNLOADS_DIR"
ARCHIVE_ENV = "NIANBAO_ARCHIVE"


def datasette_command(
    db_path: Path,
    *,
    host: str,
    port: int,
    config_dir: Path,
    inspect_file: Path | None,
    downloads_dir: Path | None = None,
) -> list[str]:
    """The `datasette serve` command line for `db_path` (immutable unless `inspect_file` is None)."""
    command = [sys.executable, "-m", "datasette", "serve"]
    if inspect_file is not None:
        command += ["-i", str(db_path), "--inspect-file", str(inspect_file)]
    else:
        command += [str(db_path)]
    command += [
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        str(SQL_TIME_LIMIT_MS),
        "--setting",
        "max_returned_rows",
        str(MAX_RETURNED_ROWS),
        "--setting",
        "allow_download",
        "on",
        "--setting",
        "default_page_size",
        "50",
        # Suggesting facets runs a query per column on every table page: too slow at 100k reports.
        "--setting",
        "suggest_facets",
        "off",
    ]
    metadata = config_dir / "metadata.yml"
    if metadata.is_file():
        command += ["--metadata", str(metadata)]
    for folder, flag in (
        ("templates", "--template-dir"),
        ("static", "--static"),
        ("plugins", "--plugins-dir"),
    ):
        path = config_dir / folder
        if path.is_dir() and any(path.iterdir()):
            command += [flag, f"static:{path}" if folder == "static" else str(path)]
    if downloads_dir is not None:
        command += ["--static", f"downloads:{downloads_dir.resolve()}"]
    return command


def published_path(db_path: Path) -> Path:
    """The path Datasette is given for `db_path`: itself when it is called nianbao.db, else a
    symbolic link of that name in a folder beside it (SQLite follows the link, so its WAL files
    stay beside the real file and a live crawl's writes are seen)."""
    if db_path.stem == DATABASE_NAME:
        return db_path
    target = db_path.resolve()
    folder = db_path.parent / f".{db_path.name}.published"
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="nianbao-published-"))
    link = folder / f"{DATABASE_NAME}.db"
    if link.is_symlink() or link.exists():
        if link.is_symlink() and link.resolve() == target:
            return link
        link.unlink()
    link.symlink_to(target)
    return link


def write_inspect_file(db_path: Path, inspect_file: Path) -> None:
    """Count tables once, so immutable serving starts fast even on a large database."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datasette",
            "inspect",
            str(db_path),
            "--inspect-file",
            str(inspect_file),
        ],
        check=True,
    )


def ensure_prepared(db_path: Path) -> bool:
    """Bring a database made by an older nianbao up to date (its schema's later migrations, such as
    facet indexes, then the views, summaries and search index); True if it had to."""
    db = sqlite_utils.Database(db_path)
    try:
        if is_slim_export(db.conn):
            return False
        # Only a nianbao database (one with migrations recorded) is migrated: any other SQLite
        # file is served as it is.
        migrated = 0 < schema_version(db) < SCHEMA_VERSION
        if migrated:
            ensure_schema(db)
        if is_prepared(db):
            return migrated
        prepare_for_publishing(db)
        return True
    finally:
        db.close()


def run_datasette(
    db_path: Path,
    *,
    host: str,
    port: int,
    config_dir: Path,
    live: bool = False,
    downloads_dir: Path | None = None,
    archive_dir: Path | None = None,
) -> int:
    """Serve until interrupted; returns Datasette's exit code. `live`: the file is being written."""
    inspect_file: Path | None = None
    if not live:
        ensure_prepared(db_path)
        inspect_file = db_path.with_suffix(".inspect.json")
    published = published_path(db_path)
    if inspect_file is not None:
        write_inspect_file(published, inspect_file)
    command = datasette_command(
        published,
        host=host,
        port=port,
        config_dir=config_dir,
        inspect_file=inspect_file,
        downloads_dir=downloads_dir,
    )
    for name, folder in ((DOWNLOADS_ENV, downloads_dir), (ARCHIVE_ENV, archive_dir)):
        if folder is not None:
            os.environ[name] = str(folder.resolve())
        else:
            os.environ.pop(name, None)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Datasette rather than wait for it: a stop signal (Ctrl-C, SIGTERM from a supervisor or
    # a test) then reaches the server itself and leaves no orphaned Datasette behind.
    os.execv(command[0], command)
    return 0  # not reached
