"""Serving a nianbao database with Datasette: read-only, immutable, with our configuration directory.

Immutable mode (`-i`) lets Datasette skip locking and count rows once (from an inspect file written
next to the database), and lets visitors download the whole database.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SQL_TIME_LIMIT_MS = 5000
MAX_RETURNED_ROWS = 2000


def datasette_command(
    db_path: Path, *, host: str, port: int, config_dir: Path, inspect_file: Path
) -> list[str]:
    """The `datasette serve` command line for `db_path`."""
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(db_path),
        "--inspect-file",
        str(inspect_file),
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
    return command


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


def run_datasette(db_path: Path, *, host: str, port: int, config_dir: Path) -> int:
    """Serve until interrupted; returns Datasette's exit code."""
    inspect_file = db_path.with_suffix(".inspect.json")
    write_inspect_file(db_path, inspect_file)
    command = datasette_command(
        db_path, host=host, port=port, config_dir=config_dir, inspect_file=inspect_file
    )
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
