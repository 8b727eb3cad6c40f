"""disputeflow's conformance kit, run against the PayPal adapter, and the plugin's install."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.testing import MarketplaceAdapterTests
from disputeflow.engine.store.tables import CaseRow, ConnectionRow
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.samplekeys import sample_private_key
from disputeflow.plugins.paypal.samples import INQUIRY, event, signed_request
from tests.plugins.paypal.conftest import drain, load_case

CREATED = {
    "platform": "paypal",
    "object_type": "dispute",
    "external_id": "PP-R-AYP-10135034",
    "kind": "inquiry",
    "stage": "inquiry",
    "status": "needs_response",
    "outcome": None,
    "category": "not_received",
    "platform_reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
    "platform_status": "WAITING_FOR_SELLER_RESPONSE",
    "amount": {"value": "2.00", "currency": "USD"},
    "refunded": None,
    "order": {
        "external_id": "8AW70038VH226914P",
        "name": None,
        "total": {"value": "2.00", "currency": "USD"},
        "placed_at": "2025-09-18T09:42:33Z",
        "references": [{"kind": "transaction_id", "value": "8AW70038VH226914P"}],
    },
    "buyer": {
        "name": "John Doe",
        "email": None,
        "country": None,
        "locale": None,
        "external_id": None,
    },
    "opened_at": "2025-09-18T09:46:54.926000Z",
    "observed_at": "2025-09-18T09:49:53.336000Z",
    "deadlines": [
        {
            "kind": "platform_response",
            "due_at": "2025-10-08T09:46:54.926000Z",
            "source": "paypal",
            "party": "merchant",
        }
    ],
}


class TestPaypal(MarketplaceAdapterTests):
    @pytest.fixture
    def marketplace(self):
        return PaypalMarketplace()

    @pytest.fixture
    def expected_snapshots(self):
        return {
            "dispute_created": [CREATED],
            "dispute_escalated": [
                {
                    "external_id": "PP-R-AYP-10135034",
                    "kind": "claim",
                    "stage": "chargeback",
                    "status": "needs_response",
                    "observed_at": "2025-09-23T09:57:13Z",
                    "deadlines": [
                        {
                            "kind": "platform_response",
                            "due_at": "2025-10-04T06:59:59Z",
                            "source": "paypal",
                            "party": "merchant",
                        }
                    ],
                }
            ],
            "dispute_resolved": [
                {
                    "external_id": "PP-R-GSS-10059837",
                    "kind": "claim",
                    "status": "resolved",
                    "outcome": "buyer_favor",
                    "category": "not_as_described",
                    "amount": {"value": "10.00", "currency": "EUR"},
                    "refunded": {"value": "10.00", "currency": "EUR"},
                    "deadlines": [],
                }
            ],
        }

    @pytest.fixture
    def unknown_values_delivery(self, connection):
        resource = {
            **INQUIRY,
            "dispute_id": "PP-D-99999",
            "reason": "SAW_A_GHOST",
            "status": "SENT_TO_THE_MOON",
            "dispute_state": "FLOATING",
            "dispute_life_cycle_stage": "ORBIT",
            "dispute_channel": "TELEPATHY",
        }
        settings = connection.settings
        return signed_request(
            event("WH-UNKNOWN-VALUES", "CUSTOMER.DISPUTE.UPDATED", resource),
            key=sample_private_key(settings["client_id"], settings["client_secret"]),
            webhook_id=settings["webhook_id"],
            transmission_id="99999999-84a4-11f0-9c4e-d7a1c6e0b2f5",
        )


def test_plugin_is_installed():
    """The entry point in pyproject.toml loads this plugin, as disputeflow loads it."""
    manager = get_plugin_manager()
    assert isinstance(manager.marketplaces()["paypal"], PaypalMarketplace)
    assert not [error for error in manager.load_errors if "paypal" in str(error)]


def test_demo_samples_become_cases_through_the_intake_without_network(client, runtime, api):
    """What ``disputeflow demo`` does: a connection with the example settings, each sample
    posted to its webhook URL, then processed, with no call to PayPal at all."""
    demo = runtime.add_connection("paypal", "demo-paypal", PaypalMarketplace().example_settings())
    with runtime.database.session() as session:
        connection = runtime.connection(session.get(ConnectionRow, demo["id"]))
    for sample in PaypalMarketplace().sample_deliveries(connection):
        response = client.post(
            f"/webhooks/paypal/{demo['id']}",
            data=sample.request.body,
            headers=dict(sample.request.headers),
        )
        assert response.status_code == 200, (sample.name, response.get_json())
    assert drain(runtime) == (3, 0)
    assert not api.calls
    with runtime.database.session() as session:
        assert len(session.scalars(select(CaseRow)).all()) == 2
    claim = load_case(runtime, "PP-R-AYP-10135034")
    assert (claim.kind, claim.stage, claim.status) == ("claim", "chargeback", "needs_response")
    lost = load_case(runtime, "PP-R-GSS-10059837")
    assert (lost.status, lost.outcome) == ("resolved", "buyer_favor")
