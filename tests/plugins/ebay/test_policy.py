"""The seller's return policy from the Account API (synthetic bodies from the documented
ReturnPolicy fields, reference/ebay.md section 6)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from disputeflow import ReturnPolicy
from disputeflow.engine.store import connections
from tests.plugins.ebay.conftest import SETTINGS

PATH = "sell/account/v1/return_policy"


def policy(name, days, *, accepted=True, default=False, unit="DAY", payer="BUYER", **more):
    body = {
        "returnPolicyId": f"id-{name}",
        "name": name,
        "marketplaceId": "EBAY_DE",
        "categoryTypes": [{"name": "ALL_EXCLUDING_MOTORS_VEHICLES", "default": default}],
        "returnsAccepted": accepted,
        "returnShippingCostPayer": payer,
        "description": f"{name} returns",
    }
    if accepted:
        body["returnPeriod"] = {"value": days, "unit": unit}
    body.update(more)
    return body


@pytest.fixture
def connection(shop, runtime):
    return runtime.connection(_row(runtime, shop["id"]))


def _row(runtime, connection_id):
    with runtime.database.session() as session:
        return connections.get_row(session, connection_id)


def test_the_default_policy_speaks_for_the_store(ebay, connection, mocked):
    answer = {"total": 2, "returnPolicies": [
        policy("long", 60, payer="SELLER"),
        policy("standard", 30, default=True, restockingFeePercentage="10"),
    ]}  # fmt: skip
    read = mocked.get(PATH, answer)
    assert ebay.return_policy(connection) == ReturnPolicy(
        window_days=30,
        source="ebay return policy standard",
        buyer_pays_return_shipping=True,
        restocking_fee_percent=10,
        text="standard returns",
    )
    request = read.calls[0].request
    assert parse_qs(urlparse(request.url).query) == {"marketplace_id": [SETTINGS["marketplace_id"]]}
    assert request.headers["Authorization"] == "Bearer user-1"


@pytest.mark.parametrize(
    ("policies", "days"),
    [
        ([policy("a", 60), policy("b", 14)], 14),  # no default: the shortest window
        ([policy("none", 0, accepted=False)], 0),  # returns not accepted
        ([policy("m", 1, unit="MONTH")], 28),
        ([policy("odd", 30, unit="FORTNIGHT")], None),
    ],
)
def test_which_window_counts(ebay, connection, mocked, policies, days):
    mocked.get(PATH, {"returnPolicies": policies})
    found = ebay.return_policy(connection)
    assert (found.window_days if found else None) == days


def test_a_seller_without_policies_has_none(ebay, connection, mocked):
    mocked.get(PATH, {"total": 0, "returnPolicies": []})
    assert ebay.return_policy(connection) is None
