"""From the sample portal to the database, over real HTTP on loopback, through the real command line."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils
from conftest import Crawl, run_nianbao
from warcio.archiveiterator import ArchiveIterator

from pipeline.extraction.keys import TEMPLATE_KEYS
from portal.content import SEEDS_DIR, load_seed_truth, seed_metrics

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


def seed_truth(name: str) -> dict:
    return load_seed_truth(SEEDS_DIR / f"{name}.yaml")


def truth_values(name: str) -> dict[str, float | None]:
    """The hand-checked YAML flattened to metric keys (independent of the extractor's code)."""
    return seed_metrics(load_seed_truth(SEEDS_DIR / f"{name}.yaml"))


TABLED_SEEDS = [
    "000_78fa2b2d43082721",
    "001_fc8dd0114ccc9bd3",
    "002_f8b9c33d63190000",
    "003_a401547b58a11ed1",
]


def db_of(crawl: Crawl) -> sqlite_utils.Database:
    return sqlite_utils.Database(crawl.db)


def test_crawl_stores_reports_of_all_five_seed_agencies(seed_crawl: Crawl) -> None:
    db = db_of(seed_crawl)
    agencies = {row["agency"] for row in db.query("select agency from reports")}
    for name in TABLED_SEEDS + ["004_8a63b8e5a75db88e"]:
        assert seed_truth(name)["agency"] in agencies or any(
            a and a.endswith(seed_truth(name)["agency"]) for a in agencies
        ), f"no report of {seed_truth(name)['agency']} in {sorted(a for a in agencies if a)}"


@pytest.mark.parametrize("name", TABLED_SEEDS)
def test_every_crawled_copy_of_a_tabled_seed_has_its_hand_checked_metrics(
    seed_crawl: Crawl, name: str
) -> None:
    truth = seed_truth(name)
    expected = truth_values(name)
    db = db_of(seed_crawl)
    copies = [
        row
        for row in db.query(
            "select id, url, agency from reports where year = ? and extraction_status = 'ok'",
            [truth["year"]],
        )
        if row["agency"] and row["agency"].endswith(truth["agency"])
    ]
    assert copies, f"no extracted report of {truth['agency']}"
    for copy in copies:
        stored = {
            row["key"]: row["value"]
            for row in db.query("select key, value from metrics where report_id = ?", [copy["id"]])
        }
        assert set(TEMPLATE_KEYS[truth["template"]]) <= set(stored), copy["url"]
        wrong = {k: (stored[k], v) for k, v in expected.items() if stored.get(k) != v}
        assert not wrong, f"{copy['url']}: (stored, printed) differ: {wrong}"


def test_the_self_inspection_seed_is_recorded_as_such(seed_crawl: Crawl) -> None:
    db = db_of(seed_crawl)
    rows = list(db.query("select doc_type from reports where agency like '%濮阳市民政局%'"))
    assert rows and {r["doc_type"] for r in rows} == {"self_inspection"}


def test_every_report_document_is_fetched_once_and_archived_raw(seed_crawl: Crawl) -> None:
    fetched: Counter[str] = Counter()
    for path in sorted(seed_crawl.archive.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    role = record.rec_headers.get_header("WARC-Nianbao-Role")
                    if role in ("document", "attachment"):
                        fetched[record.rec_headers.get_header("WARC-Target-URI")] += 1
    assert fetched, "no document responses archived"
    assert [url for url, n in fetched.items() if n > 1] == []
    reports = {row["url"] for row in db_of(seed_crawl).query("select url from reports")}
    assert reports <= set(fetched)


def test_warc_files_pass_warcio_check_and_index(seed_crawl: Crawl) -> None:
    files = [str(p) for p in sorted(seed_crawl.archive.glob("*.warc.gz"))]
    assert files
    warcio = [sys.executable, "-m", "warcio.cli"]
    check = subprocess.run([*warcio, "check", *files], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([*warcio, "index", *files], capture_output=True, text=True)
    assert index.returncode == 0 and index.stdout.count("\n") >= len(files)


def test_every_archived_response_has_a_page_row_with_an_outcome(seed_crawl: Crawl) -> None:
    db = db_of(seed_crawl)
    archived = 0
    for path in sorted(seed_crawl.archive.glob("*.warc.gz")):
        with path.open("rb") as stream:
            archived += sum(1 for r in ArchiveIterator(stream) if r.rec_type == "response")
    outcomes = Counter(
        row["outcome"] for row in db.query("select outcome from pages where status > 0")
    )
    assert sum(outcomes.values()) == archived
    assert set(outcomes) <= {"archived", "extracted", "failed"}
    failed = list(db.query("select url, reason from pages where outcome = 'failed'"))
    assert all(row["reason"] for row in failed)


def test_rebuild_from_the_archive_alone_equals_the_crawled_database(
    seed_crawl: Crawl, tmp_path: Path
) -> None:
    rebuilt = tmp_path / "rebuilt.db"
    run_nianbao(
        "rebuild",
        "--archive",
        str(seed_crawl.archive),
        "--db",
        str(rebuilt),
        "--sources",
        str(seed_crawl.sources),
        "--no-progress",
    )
    crawled_db, rebuilt_db = db_of(seed_crawl), sqlite_utils.Database(rebuilt)
    for table in ("reports", "metrics", "checks", "facts", "pages", "agencies", "sources"):
        columns = ", ".join(f"[{c}]" for c in crawled_db[table].columns_dict)
        order = columns
        crawled = list(crawled_db.query(f"select {columns} from [{table}] order by {order}"))
        again = list(rebuilt_db.query(f"select {columns} from [{table}] order by {order}"))
        assert crawled == again, f"table {table} differs after rebuild"
