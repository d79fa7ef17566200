"""The search indexes built in another process (`archive.publish.search_apart`) are the indexes
built here, row for row of their shadow tables, and answer the same searches; a builder that fails
leaves them built here, with a warning; a large database's publish builds them apart."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive.publish import prepare_for_publishing, search_apart
from archive.publish.search import SEARCH_TABLES, refresh_search
from archive.publish.search_apart import SearchApart
from archive.schema import open_db

SEEDS = Path(__file__).resolve().parent.parent / "portal" / "seeds"


def _reports_db(path: Path) -> Path:
    """A database whose reports carry the seed reports' real texts, each several times over."""
    db = open_db(path)
    texts = [seed.read_text(encoding="utf-8") for seed in sorted(SEEDS.glob("*.txt"))]
    db.table("reports").insert_all(
        {
            "id": f"r{n:03d}",
            "url": f"http://example.gov.cn/{n}.html",
            "title": f"{2019 + n % 6}年政府信息公开工作年度报告 {n}",
            "text": texts[n % len(texts)][n % 50 :],
            "extraction_status": "ok",
            "year": 2019 + n % 6,
        }
        for n in range(60)
    )
    db.close()
    return path


def _index_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {
            name: conn.execute(f"SELECT * FROM [{name}] ORDER BY 1, 2").fetchall()
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name.startswith(tuple(f"{table}_" for table in SEARCH_TABLES))
        }
    finally:
        conn.close()


def _searches(path: Path) -> list[list[int]]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO reports_fts (reports_fts) VALUES ('integrity-check')")
        return [
            [row[0] for row in conn.execute(sql, [term])]
            for sql, term in (
                (
                    "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ? ORDER BY rowid",
                    "行政复议",
                ),
                (
                    "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ? ORDER BY rowid",
                    "2021年",
                ),
                (
                    "SELECT rowid FROM reports_bigrams WHERE reports_bigrams MATCH ? ORDER BY rowid",
                    "诉讼",
                ),
            )
        ]
    finally:
        conn.close()


@pytest.fixture
def two_copies(tmp_path: Path) -> tuple[Path, Path]:
    here = _reports_db(tmp_path / "here.db")
    apart = tmp_path / "apart.db"
    shutil.copy(here, apart)
    return here, apart


def test_indexes_built_apart_equal_those_built_here(two_copies: tuple[Path, Path]) -> None:
    here, apart = two_copies
    db = open_db(here)
    refresh_search(db)
    db.close()
    db = open_db(apart)
    builder = SearchApart(db, str(apart))
    builder.adopt(db)
    db.close()
    assert builder.process.exitcode == 0
    built_here, built_apart = _index_rows(here), _index_rows(apart)
    assert set(built_apart) == {
        f"{table}_{shadow}"
        for table in SEARCH_TABLES
        for shadow in ("data", "idx", "docsize", "config")
    }
    assert built_apart == built_here
    found = _searches(apart)
    assert found == _searches(here)
    assert all(found) and len(found[1]) < 60  # real matches, not every report
    assert not builder.scratch.exists()


def test_a_failed_builder_leaves_the_indexes_built_here(
    two_copies: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    here, apart = two_copies
    db = open_db(here)
    refresh_search(db)
    db.close()
    db = open_db(apart)
    # The child cannot open its source: it ends with an error, and nothing is built apart.
    builder = SearchApart(db, str(tmp_path / "missing" / "nothing.db"))
    with caplog.at_level(logging.WARNING, logger=search_apart.__name__):
        builder.adopt(db)
    db.close()
    assert builder.process.exitcode not in (0, None)
    assert "building them here" in caplog.text
    assert _index_rows(apart) == _index_rows(here)
    assert not builder.scratch.exists()


def test_publishing_a_large_database_builds_search_apart(
    two_copies: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, apart = two_copies
    db = open_db(here)
    prepare_for_publishing(db)  # 60 reports: built here
    db.close()
    started: list[int] = []
    original = SearchApart.__init__

    def recorded(self: SearchApart, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        started.append(self.process.pid or 0)

    monkeypatch.setattr(search_apart, "APART_MIN_REPORTS", 10)
    monkeypatch.setattr(SearchApart, "__init__", recorded)
    db = open_db(apart)
    prepare_for_publishing(db)
    db.close()
    assert len(started) == 1
    assert _index_rows(apart) == _index_rows(here)
