"""A synthetic portal of 150 reports over every site style, crawled for real: every metric equals
the generator's truth, whether extracted during the fetch (ahead) or after it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from conftest import run_nianbao

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow

SYNTHETIC_REPORTS = 150


def test_every_synthetic_metric_in_the_database_equals_the_generator_truth(tmp_path: Path) -> None:
    from portal.server import SamplePortal

    with SamplePortal(
        synthetic=SYNTHETIC_REPORTS, seed=2024, base_port=0, include_seeds=False
    ) as portal:
        sources = tmp_path / "sources.yaml"
        portal.write_sources(sources)
        db_path = tmp_path / "nianbao.db"
        run_nianbao(
            "crawl",
            "--sources",
            str(sources),
            "--db",
            str(db_path),
            "--archive",
            str(tmp_path / "archive"),
            "--log-level",
            "WARNING",
            # The crawl as users run it: extraction on worker processes, and ahead of the load.
            "-s",
            "NIANBAO_EXTRACT_WORKERS=2",
            "-s",
            "NIANBAO_EXTRACT_AHEAD_WORKERS=1",
        )
        truth = {url: t for url, t in portal.truth.items() if t.metrics}
    db = sqlite_utils.Database(db_path)
    reports = {row["url"]: row for row in db.query("select * from reports")}
    assert len(truth) >= SYNTHETIC_REPORTS * 0.9  # every synthetic report carries tables
    missing = sorted(set(truth) - set(reports))
    assert not missing, f"{len(missing)} reports not in the database, e.g. {missing[:3]}"
    mismatches: list[str] = []
    for url, expected in truth.items():
        report = reports[url]
        if (report["agency"], report["year"], report["template"]) != (
            expected.agency,
            expected.year,
            expected.template,
        ):
            mismatches.append(
                f"{url}: {report['agency']} {report['year']} {report['template']} != "
                f"{expected.agency} {expected.year} {expected.template}"
            )
            continue
        stored = {
            r["key"]: r["value"]
            for r in db.query("select key, value from metrics where report_id = ?", [report["id"]])
        }
        wrong = {
            k: (stored.get(k), v)
            for k, v in expected.metrics.items()
            if stored.get(k, "absent") != v
        }
        if wrong:
            mismatches.append(f"{url}: {dict(list(wrong.items())[:5])}")
    assert not mismatches, f"{len(mismatches)} reports differ:\n" + "\n".join(mismatches[:10])
    # Part of them were extracted during the fetch by the workers ahead (pipeline.ahead)
    # and taken from their spool: the truth above holds for those too.
    (run,) = db.query("SELECT documents_loaded, documents_extracted_ahead FROM crawl_runs")
    assert 0 < run["documents_extracted_ahead"] <= run["documents_loaded"]
    assert not list(tmp_path.glob(".nianbao.db.extract-ahead-*"))  # the spool is gone
