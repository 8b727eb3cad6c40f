"""fetch_targets: which eBay objects a notification names are read, retried as inquiries or
skipped. Each test is aimed at a mutant that survived ``make mutate`` (docs/testing.md).
The fetcher stands in for eBay's API (Post-Order ``GET /post-order/v2/casemanagement/{id}``
answers 404 for an INR inquiry not escalated yet; ``GET /post-order/v2/inquiry/{id}`` reads
it: docs/platforms/ebay.md)."""

from __future__ import annotations

import pytest

from disputeflow import MarketplaceError
from disputeflow.plugins.ebay.webhooks import fetch_targets


def fetcher(known, status=404):
    """Answers ``(type, id)`` pairs in ``known``; anything else fails with ``status``."""
    calls = []

    def fetch(object_type, object_id):
        calls.append((object_type, object_id))
        if (object_type, object_id) in known:
            return f"{object_type}:{object_id}"
        raise MarketplaceError(f"no {object_type} {object_id}", platform_status=status)

    fetch.calls = calls
    return fetch


def test_an_unknown_case_is_an_error_by_default():
    fetch = fetcher(set())
    with pytest.raises(MarketplaceError) as info:
        fetch_targets([("case", "5001")], fetch)
    assert info.value.platform_status == 404
    assert fetch.calls == [("case", "5001")]  # not tried as an inquiry


@pytest.mark.parametrize("case_type", ["INR", "EBP_INR"])
def test_an_inr_case_ebay_does_not_know_is_read_as_an_inquiry(case_type):
    fetch = fetcher({("inquiry", "5001"), ("return", "7001")})
    found = fetch_targets([("case", "5001"), ("return", "7001")], fetch, case_type=case_type)
    assert found == ["inquiry:5001", "return:7001"]


def test_only_cases_are_retried_as_inquiries():
    fetch = fetcher({("inquiry", "7001")})
    with pytest.raises(MarketplaceError):
        fetch_targets([("return", "7001")], fetch, case_type="INR")
    assert fetch.calls == [("return", "7001")]


def test_an_snad_case_is_not_retried_as_an_inquiry():
    fetch = fetcher({("inquiry", "5001")})
    with pytest.raises(MarketplaceError):
        fetch_targets([("case", "5001")], fetch, case_type="EBP_SNAD")


def test_an_inr_case_unknown_as_an_inquiry_too_raises_the_inquiry_error():
    fetch = fetcher(set())
    with pytest.raises(MarketplaceError, match="no inquiry 5001") as info:
        fetch_targets([("case", "5001")], fetch, case_type="INR")
    assert info.value.platform_status == 404


def test_skip_missing_tries_any_case_as_an_inquiry_then_skips_the_unknown():
    fetch = fetcher({("inquiry", "5001"), ("return", "7001")})
    targets = [("case", "5001"), ("case", "5002"), ("return", "7002"), ("return", "7001")]
    assert fetch_targets(targets, fetch, skip_missing=True) == ["inquiry:5001", "return:7001"]


def test_skip_missing_never_hides_an_error_other_than_404():
    def fetch(object_type, object_id):
        status = 404 if object_type == "case" else 503
        raise MarketplaceError("eBay is down", platform_status=status, transient=True)

    with pytest.raises(MarketplaceError) as info:
        fetch_targets([("case", "5001")], fetch, skip_missing=True)
    assert info.value.platform_status == 503
