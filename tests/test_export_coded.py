"""The slim file's coded metrics and checks (archive/export/coded.py) read back as the full
database's rows, whichever of their two layouts each row is stored in, less what the slim file
leaves out (a cell's box, a passing check's evidence)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.export.slim import write_slim_db
from archive.schema import open_db

METRICS = [
    ("r1", "apply.new.total", 12.0, "12", None, None, None),  # reads as its value: lean
    ("r1", "apply.new.natural", 3.0, "３", None, None, None),  # printed otherwise
    ("r2", "apply.new.total", 5.0, "5", 2, "[1, 2, 3, 4]", None),  # a page (and a box)
    ("r2", "apply.new.natural", None, "", None, None, 0.5),  # blank, an OCR confidence
]
CHECKS = [
    ("r1", "apply.total", 1, 3.0, 3.0, "sum", "error", "pass", "1 + 2 = 3"),
    ("r1", "apply.balance", 0, 4.0, 5.0, "balance", "error", "fail", "4 ≠ 5"),
    ("r2", "apply.total", None, None, 3.0, "sum", "error", "unverifiable", "blank"),
    ("r2", "apply.balance", 1, 4.0, 4.0, "balance", "warning", "fail", "odd"),  # not as passed
]


def _slim(tmp_path: Path) -> sqlite3.Connection:
    full = tmp_path / "full.db"
    db = open_db(full)
    db.conn.executemany(
        "INSERT INTO metrics (report_id, key, value, raw, page, bbox, confidence)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        METRICS,
    )
    db.conn.executemany(
        "INSERT INTO checks (report_id, rule, passed, expected, printed, detail,"
        " severity, verdict, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        CHECKS,
    )
    db.conn.commit()
    db.close()
    write_slim_db(full, tmp_path / "slim.db")
    return sqlite3.connect(tmp_path / "slim.db")


def test_metrics_read_back_from_both_layouts_without_their_box(tmp_path: Path) -> None:
    conn = _slim(tmp_path)
    rows = conn.execute(
        "SELECT report_id, key, value, raw, page, bbox, confidence FROM metrics"
        " ORDER BY report_id, key"
    ).fetchall()
    expected = sorted((*row[:5], None, row[6]) for row in METRICS)
    assert rows == expected
    # Only the row that reads as its value is stored lean.
    assert conn.execute("SELECT count(*) FROM slim_metrics").fetchone() == (1,)


def test_checks_read_back_with_their_verdicts_and_no_evidence_where_passed(tmp_path: Path) -> None:
    conn = _slim(tmp_path)
    rows = conn.execute("SELECT * FROM checks ORDER BY report_id, rule").fetchall()
    expected = sorted((*row[:8], None if row[7] == "pass" else row[8]) for row in CHECKS)
    assert rows == expected
    assert conn.execute("SELECT count(*) FROM slim_checks_more").fetchone() == (1,)
