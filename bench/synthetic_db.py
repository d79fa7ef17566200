"""A database of N synthetic reports, built without crawling: the build and serve benchmarks' input.

Reports come from `portal.synthetic.generate` (their metrics are the generator's truth), with the
checks `pipeline.extraction.checks.check_tables` evaluates on them, and are loaded with
`archive.bulk.bulk_store_reports`; the database is then prepared for publishing as after a crawl.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.bulk import bulk_store_reports
from archive.publish import prepare_for_publishing
from archive.schema import open_db
from pipeline.extraction.checks import check_tables
from pipeline.extraction.document import ROLE_DOCUMENT, FetchedDocument
from pipeline.extraction.report import STATUS_OK, ExtractedReport, Metric
from portal.synthetic import ReportSpec, generate


@dataclass
class BuildResult:
    reports: int
    metric_rows: int
    load_s: float  # generating and inserting the rows
    publish_s: float  # views, labels, trigram index
    megabytes: float


def synthetic_report(spec: ReportSpec, index: int) -> tuple[FetchedDocument, ExtractedReport]:
    """The document and report the crawl would store for `spec`, without rendering or extracting."""
    url = f"http://bench.example/art/{index}.html"
    metrics = {
        key: Metric(key, value, spec.raw.get(key, "" if value is None else f"{value:g}"))
        for key, value in spec.metrics.items()
    }
    text = "\n".join([spec.title, *spec.intro, *spec.outro])
    document = FetchedDocument(
        url=url,
        status=200,
        body=text.encode("utf-8") + index.to_bytes(4, "big"),
        headers={"content-type": "text/html; charset=utf-8"},
        fetched_at=spec.published.isoformat(timespec="seconds"),
        source_id=None,
        role=ROLE_DOCUMENT,
        link_text=spec.title,
    )
    report = ExtractedReport(
        url=url,
        status=STATUS_OK,
        doc_type=spec.doc_type,
        agency=spec.agency,
        year=spec.year,
        template=spec.template,
        title=spec.title,
        published=spec.published.date().isoformat(),
        text=text,
        content_type="text/html",
        metrics=metrics,
        checks=check_tables(spec.template, metrics),
    )
    return document, report


def _report_at(item: tuple[int, ReportSpec]) -> tuple[FetchedDocument, ExtractedReport]:
    return synthetic_report(item[1], item[0])


def synthetic_reports(
    count: int, seed: int = 0, workers: int = 1
) -> Iterator[tuple[FetchedDocument, ExtractedReport]]:
    """The reports in order; with `workers` > 1 they are made in a process pool."""
    specs = enumerate(generate(count, seed))
    if workers <= 1:
        yield from map(_report_at, specs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_report_at, specs, chunksize=200)


def build_database(path: Path, count: int, seed: int = 0) -> BuildResult:
    """A fresh database at `path` holding `count` synthetic reports, ready to publish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_suffix(".inspect.json")):
        stale.unlink(missing_ok=True)
    db = open_db(path)
    try:
        started = time.perf_counter()
        workers = min(os.cpu_count() or 1, 4)
        stored = bulk_store_reports(db, synthetic_reports(count, seed, workers))
        loaded = time.perf_counter()
        prepare_for_publishing(db)
        published = time.perf_counter()
        metric_rows = db.execute("SELECT count(*) FROM metrics").fetchone()[0]
    finally:
        db.close()
    return BuildResult(
        reports=stored,
        metric_rows=metric_rows,
        load_s=loaded - started,
        publish_s=published - loaded,
        megabytes=path.stat().st_size / 1e6,
    )
