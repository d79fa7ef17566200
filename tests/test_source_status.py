"""A source's status in a run's record, from its counts: spider errors are failures, never success."""

from __future__ import annotations

from archive.run_record import source_status

QUIET = {
    "archived": 0, "listed": 0, "failed": 0, "fetch_failed": 0, "blocked": 0, "robots": 0,
    "http_errors": 0, "not_due": 0, "spider_errors": 0, "reports_seen": 0,
}  # fmt: skip


def test_a_source_whose_every_list_page_made_the_spider_raise_is_broken() -> None:
    # The list pages were fetched and archived; their callback raised, so no report was found.
    counts = {**QUIET, "archived": 3, "listed": 0, "failed": 3, "spider_errors": 3}
    status, detail = source_status(counts, reports_before=0)
    assert status == "broken"
    assert "could not read 3 pages" in detail


def test_spider_errors_beside_reports_are_named_in_an_ok_sources_detail() -> None:
    counts = {
        **QUIET,
        "archived": 9,
        "listed": 2,
        "reports_seen": 5,
        "failed": 1,
        "spider_errors": 1,
    }
    status, detail = source_status(counts, reports_before=0)
    assert status == "ok"
    assert detail == "5 reports, 1 failures (1 pages the spider could not read)"
