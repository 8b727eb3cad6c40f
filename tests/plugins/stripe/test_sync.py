"""Polling the disputes and early fraud warnings lists (https://docs.stripe.com/api/disputes/list,
https://docs.stripe.com/api/radar/early_fraud_warnings/list; checked 2026-12-04) against a
mocked API. List entries are stripe/openapi's fixtures; the charge is expanded as asked, and
carries the metadata keys WooCommerce Stripe Gateway writes."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from responses import matchers

from disputeflow.plugins.stripe.sync import OVERLAP
from tests.plugins.stripe.conftest import (
    API,
    NOW,
    WOO_METADATA,
    charge,
    dispute,
    fixture,
    listing,
)

DISPUTES = f"{API}/v1/disputes"
WARNINGS = f"{API}/v1/radar/early_fraud_warnings"


def query(call):
    return parse_qs(urlsplit(call.request.url).query)


def paid(**changes):
    """The fixture charge as WooCommerce Stripe Gateway leaves it: its metadata, a buyer."""
    billing = {"address": {**charge()["billing_details"]["address"], "country": "DE"},
               "email": "john.doe@example.com", "name": "Jenny Rosen", "phone": None,
               "tax_id": None}  # fmt: skip
    return charge(metadata=WOO_METADATA, billing_details=billing, **changes)


def test_a_first_sync_reads_everything_page_by_page(stripe, connection, api):
    first = dispute(id="dp_new", charge=paid(), status="needs_response")
    second = dispute(charge=paid(), status="won")
    api.get(
        DISPUTES,
        json=listing("/v1/disputes", [first], has_more=True),
        match=[matchers.query_param_matcher({"limit": "100", "expand[]": "data.charge"})],
    )
    api.get(
        DISPUTES,
        json=listing("/v1/disputes", [second]),
        match=[
            matchers.query_param_matcher(
                {"limit": "100", "expand[]": "data.charge", "starting_after": "dp_new"}
            )
        ],
    )
    warning = {**fixture("fixtures3_early_fraud_warning.json"), "charge": paid(refunded=True)}
    api.get(WARNINGS, json=listing("/v1/radar/early_fraud_warnings", [warning]))
    pages = list(stripe.list_changes(connection, None))
    assert [len(page.snapshots) for page in pages] == [1, 1, 1]
    opened = pages[0].snapshots[0]
    assert opened.observed_at == NOW  # stamped with the sync's start
    assert (opened.order.external_id, opened.order.name) == ("727", "#727")
    assert (opened.buyer.country, opened.buyer.email) == ("DE", "john.doe@example.com")
    assert opened.extra["site_url"] == "https://example.com"
    assert pages[1].snapshots[0].outcome == "merchant_favor"
    warned = pages[2].snapshots[0]
    assert str(warned.amount) == "1.00 USD"  # the warning's charge says what was paid
    assert warned.status == "needs_response"  # actionable, as the fixture says
    state = json.loads(pages[-1].cursor)
    assert set(state) == {"since", "floor", "seen"}
    assert state["seen"] == {
        "dispute:dp_new": "needs_response",
        "dispute:dp_1Pgc71B7WZ01zgkWMevJiAUx": "won",
        "early_fraud_warning:issfr_1Pgc79B7WZ01zgkWxwDzEIPX": "actionable",
    }
    assert state["floor"] == 1234567890  # the oldest object still open


def test_the_next_sync_reads_from_the_oldest_open_object_and_yields_only_changes(
    stripe, connection, api
):
    since = NOW - timedelta(hours=1)
    cursor = json.dumps({
        "since": since.isoformat().replace("+00:00", "Z"),
        "floor": 1234567890,
        "seen": {"dispute:dp_same": "under_review", "dispute:dp_moved": "under_review"},
    })  # fmt: skip
    same = dispute(id="dp_same", status="under_review")
    moved = dispute(id="dp_moved", status="lost")
    api.get(DISPUTES, json=listing("/v1/disputes", [same, moved]))
    api.get(WARNINGS, json=listing("/v1/radar/early_fraud_warnings", []))
    pages = list(stripe.list_changes(connection, cursor))
    assert query(api.calls[0])["created[gte]"] == ["1234567890"]
    assert [s.external_id for p in pages for s in p.snapshots] == ["dp_moved"]
    state = json.loads(pages[-1].cursor)
    assert state["floor"] == 1234567890  # dp_same is still open
    assert state["since"] == "2026-11-10T12:00:00Z"


def test_with_nothing_open_the_sync_reads_since_the_last_one(stripe, connection, api):
    cursor = json.dumps({"since": "2026-11-10T11:00:00Z", "floor": None, "seen": {}})
    api.get(DISPUTES, json=listing("/v1/disputes", []))
    api.get(WARNINGS, json=listing("/v1/radar/early_fraud_warnings", []))
    pages = list(stripe.list_changes(connection, cursor))
    expected = int((NOW - timedelta(hours=1) - OVERLAP).timestamp())
    assert query(api.calls[0])["created[gte]"] == [str(expected)]
    assert query(api.calls[1])["created[gte]"] == [str(expected)]
    assert json.loads(pages[-1].cursor)["floor"] is None


def test_an_interrupted_sync_resumes_at_its_page(stripe, connection, api):
    api.get(DISPUTES, json=listing("/v1/disputes", [dispute(id="dp_a")], has_more=True))
    pages = stripe.list_changes(connection, None)
    first = next(pages)  # the worker stops here (a crash, a deploy)
    api.replace("GET", DISPUTES, json=listing("/v1/disputes", [dispute(id="dp_b")]))
    api.get(WARNINGS, json=listing("/v1/radar/early_fraud_warnings", []))
    rest = list(stripe.list_changes(connection, first.cursor))
    assert query(api.calls[1])["starting_after"] == ["dp_a"]
    assert [s.external_id for p in rest for s in p.snapshots] == ["dp_b"]
    assert set(json.loads(rest[-1].cursor)["seen"]) == {"dispute:dp_a", "dispute:dp_b"}


def test_an_unreadable_cursor_starts_a_full_sync(stripe, connection, api):
    api.get(DISPUTES, json=listing("/v1/disputes", []))
    api.get(WARNINGS, json=listing("/v1/radar/early_fraud_warnings", []))
    list(stripe.list_changes(connection, "not json"))
    assert "created[gte]" not in query(api.calls[0])
