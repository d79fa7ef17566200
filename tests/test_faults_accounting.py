"""Accounting for every published report: a report behind a failed page is failed with that page's
reason, not lost — over real HTTP, on the sample portal with a forced fault."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from conftest import run_nianbao

from portal.accounting import Accounting, account

# Runs the real command, servers or crawls over HTTP: left out of `make test-fast`.
pytestmark = pytest.mark.slow


@dataclass
class AccountedCrawl:
    blocked_detail: str  # a plain-site detail page that loops forever
    behind_it: list[str]  # the report attachments only that page links
    finding_pages: list[str]
    result: Accounting


@pytest.fixture(scope="module")
def accounted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountedCrawl]:
    from portal.faults import parse_spec
    from portal.server import SamplePortal

    work = tmp_path_factory.mktemp("accounting")
    with SamplePortal(synthetic=9, seed=5, include_seeds=False, faults=parse_spec("")) as portal:
        assert portal.faults is not None
        plain = portal.site("plain")
        attachment = sorted(u for u in plain.truth if urlsplit(u).path.startswith("/uploads/"))[0]
        detail = plain.found_on[attachment]
        behind = sorted(u for u, page in plain.found_on.items() if page == detail)
        portal.faults.force(detail, "redirect_loop", attempts=1000)
        sources, db = work / "sources.yaml", work / "nianbao.db"
        portal.write_sources(sources)
        run_nianbao(
            "crawl", "--sources", str(sources), "--db", str(db), "--archive",
            str(work / "archive"), "--log-level", "ERROR", check=False,
        )  # fmt: skip
        yield AccountedCrawl(detail, behind, plain.finding_pages(attachment), account(db, portal))


def test_the_pages_leading_to_an_attachment_are_its_detail_page_then_its_list_page(
    accounted: AccountedCrawl,
) -> None:
    detail, *lists = accounted.finding_pages
    assert detail == accounted.blocked_detail and "/content_" in urlsplit(detail).path
    assert lists and all("/content_" not in urlsplit(page).path for page in lists)


def test_a_report_behind_a_failed_detail_page_is_failed_with_that_pages_reason(
    accounted: AccountedCrawl,
) -> None:
    assert accounted.behind_it
    for url in accounted.behind_it:
        reason = accounted.result.failed.get(url, "")
        assert reason.startswith(f"not reached: {accounted.blocked_detail} failed:"), reason
        assert "redirect loop" in reason


def test_every_other_report_is_archived_and_none_is_lost(accounted: AccountedCrawl) -> None:
    assert not accounted.result.lost and not accounted.result.wrong
    assert set(accounted.result.failed) == set(accounted.behind_it)
    assert accounted.result.archived
