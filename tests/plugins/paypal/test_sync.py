"""Polling ``GET /v1/customer/disputes`` by update time, each dispute read in full."""

from __future__ import annotations

import copy
from urllib.parse import parse_qs, urlsplit

import pytest
from responses import matchers

from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.samples import ESCALATED
from tests.plugins.paypal.conftest import API, NOW, TOKEN_ANSWER, fixture, paypal_settings

LIST = f"{API}/v1/customer/disputes"


@pytest.fixture
def marketplace(clock):
    market = PaypalMarketplace()
    market.sleep = clock.append
    market.now = lambda: NOW
    return market


@pytest.fixture
def connection(marketplace):
    return make_connection(marketplace, paypal_settings())


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def resolved_detail():
    """The list's first item as its details would show it (the list sample's values)."""
    detail = copy.deepcopy(fixture("disputes_list_response.json")["items"][0])
    detail.pop("outcome")  # a list-only field, not in the dispute schema
    return detail


def test_a_full_sync_reads_each_listed_dispute(marketplace, connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    listing = api.get(LIST, json=fixture("disputes_list_response.json"))
    api.get(f"{LIST}/PP-R-ORC-10135512", json=resolved_detail())
    api.get(f"{LIST}/PP-R-AYP-10135034", json=ESCALATED)
    pages = list(marketplace.list_changes(connection, None))
    assert query(listing.calls[0]) == {"page_size": "50"}  # PayPal's default: 180 days back
    assert len(pages) == 1
    by_id = {s.external_id: s for s in pages[0].snapshots}
    assert (by_id["PP-R-ORC-10135512"].status, by_id["PP-R-ORC-10135512"].kind) == (
        "resolved",
        "inquiry",
    )
    assert by_id["PP-R-AYP-10135034"].extra["paypal_actions"] == [
        "accept_claim",
        "make_offer",
        "provide_evidence",
    ]
    assert pages[0].cursor == "2025-09-23T09:57:13Z"


def test_the_next_poll_starts_a_little_before_the_cursor(marketplace, connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    listing = api.get(LIST, json={"items": [], "links": []})
    pages = list(marketplace.list_changes(connection, "2025-09-23T09:57:13Z"))
    assert query(listing.calls[0])["update_time_after"] == "2025-09-23T09:52:13Z"
    assert pages[-1].cursor == "2025-09-23T09:57:13Z"  # nothing newer: the cursor stays


def test_a_cursor_older_than_paypal_keeps_is_brought_inside_180_days(marketplace, connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    listing = api.get(LIST, json={"items": []})
    list(marketplace.list_changes(connection, "2024-01-01T00:00:00Z"))
    assert query(listing.calls[0])["update_time_after"] == "2025-04-05T12:00:00Z"


def test_pages_follow_paypals_next_link_and_save_the_cursor_at_the_end(
    marketplace, connection, api
):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    first = fixture("disputes_list_response.json")
    first["items"] = first["items"][1:]
    following = f"{LIST}?page_size=50&next_page_token=ARu2cnMjAaWlbW9ua2V5"
    first["links"].append({"href": following, "rel": "next", "method": "GET"})
    api.get(
        LIST,
        json=first,
        match=[matchers.query_param_matcher({"page_size": "50"})],
    )
    api.get(f"{LIST}/PP-R-AYP-10135034", json=ESCALATED)
    second = fixture("disputes_list_response.json")
    second["items"] = second["items"][:1]
    api.get(following, json=second)
    api.get(f"{LIST}/PP-R-ORC-10135512", json=resolved_detail())
    pages = list(marketplace.list_changes(connection, None))
    assert [page.cursor for page in pages] == [None, "2025-09-23T09:57:13Z"]
    assert [len(page.snapshots) for page in pages] == [1, 1]


def test_a_next_link_to_another_host_is_not_followed(marketplace, connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    page = {
        "items": [],
        "links": [{"rel": "next", "href": "https://evil.example/v1/customer/disputes"}],
    }
    api.get(LIST, json=page)
    pages = list(marketplace.list_changes(connection, None))
    assert len(pages) == 1
    assert len(api.calls) == 2


def test_a_listed_dispute_that_is_gone_is_skipped(marketplace, connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(LIST, json=fixture("disputes_list_response.json"))
    api.get(
        f"{LIST}/PP-R-ORC-10135512", status=404, json=fixture("error_404_resource_not_found.json")
    )
    api.get(f"{LIST}/PP-R-AYP-10135034", json=ESCALATED)
    pages = list(marketplace.list_changes(connection, None))
    assert [s.external_id for s in pages[0].snapshots] == ["PP-R-AYP-10135034"]
