"""The sample portal's control endpoint changes what a site serves, over HTTP, as tests and users need."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

import pytest

from portal.server import SamplePortal


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def portal():
    with SamplePortal(synthetic=3, seed=2, include_seeds=False) as sample:
        yield sample


def test_control_endpoint_changes_withdraws_and_resets(portal: SamplePortal) -> None:
    url = next(
        u
        for u, t in portal.truth.items()
        if t.metrics and u.startswith(portal.site("trs").base_url)
    )
    base, path = portal.site("trs").base_url, urlsplit(url).path
    _, before = get(url)
    status, body = get(f"{base}/-/control?change={quote(path)}")
    assert status == 200 and json.loads(body)["changed"] == ["review.upheld", "review.total"]
    _, after = get(url)
    assert after != before
    get(f"{base}/-/control?withdraw={quote(path)}&kind=404")
    assert get(url)[0] == 404
    get(f"{base}/-/control?mode=broken")
    assert get(base + "/")[0] == 500
    get(f"{base}/-/control?reset=1")
    assert get(base + "/")[0] == 200 and get(url)[0] == 200


def test_control_endpoint_refuses_an_unknown_mode(portal: SamplePortal) -> None:
    status, body = get(portal.site("plain").base_url + "/-/control?mode=on-fire")
    assert status == 400 and "unknown mode" in json.loads(body)["error"]


def test_changed_report_keeps_its_sums_true(portal: SamplePortal) -> None:
    url = next(u for u, t in portal.truth.items() if t.metrics)
    metrics = portal.truth[url].metrics
    before = dict(metrics)
    portal.change_report(url)
    after = portal.truth[url].metrics
    assert after["review.total"] == (before["review.total"] or 0) + 1
    parts = ("upheld", "corrected", "other", "pending")
    assert after["review.total"] == sum(after[f"review.{p}"] or 0 for p in parts)
