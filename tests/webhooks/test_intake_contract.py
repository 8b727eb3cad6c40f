"""The optional parts of the intake contract: pings, custom success codes, platform-specific
refusals, and plugin endpoints."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from disputeflow import ChallengeResponse, MarketplaceError, SignatureError, hookimpl
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow
from tests.fakes.marketplace import FakeMarketplace
from tests.webhooks.conftest import dispute, signed


class PreconditionFailed(SignatureError):
    status = 412


class KeyServiceDown(MarketplaceError):
    status = 500


class ContractFake(FakeMarketplace):
    """Pings are form posts with webhook_id; ack 204; special failure codes by header."""

    def answer_ping(self, connection, request):
        if request.body.startswith(b"webhook_id="):
            return ChallengeResponse(b"", status=200, content_type="text/plain",
                                     webhook_verified=True)  # fmt: skip
        return None

    def verify_delivery(self, connection, request):
        if request.header("X-Test-Fail") == "412":
            raise PreconditionFailed("signature mismatch")
        if request.header("X-Test-Fail") == "500":
            raise KeyServiceDown("public key service unreachable", transient=True)
        verified = super().verify_delivery(connection, request)
        return type(verified)(verified.dedup_key, verified.topic, verified.headers, ack_status=204)

    def register_webhooks(self, connection):
        return ["disputes/create", "disputes/update"]


class Plugin:
    @hookimpl
    def disputeflow_register_marketplaces(self):
        return [ContractFake()]


@pytest.fixture
def fake_plugins(plugin_manager):
    plugin_manager.register(Plugin(), name="contract-fake")
    return plugin_manager


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'contract.sqlite3'}"


def deliveries_stored(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(DeliveryRow))


def test_a_ping_is_answered_exactly_and_marks_the_webhook_verified(client, runtime, connection):
    response = client.post(f"/webhooks/fake/{connection['id']}", data=b"webhook_id=12",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200
    assert response.get_data() == b""
    assert deliveries_stored(runtime) == 0
    with runtime.database.session() as session:
        assert session.get(ConnectionRow, connection["id"]).webhook_verified_at is not None


def test_a_plugin_may_acknowledge_with_204(client, runtime, connection):
    body, headers = signed(dispute())
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert deliveries_stored(runtime) == 1


@pytest.mark.parametrize(("fail", "status"), [("412", 412), ("500", 500)])
def test_platform_specific_refusals_keep_their_status(client, runtime, connection, fail, status):
    body, headers = signed(dispute())
    headers["X-Test-Fail"] = fail
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == status
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert deliveries_stored(runtime) == 0


def test_register_webhooks_command(runtime, fake_plugins, connection):
    from click.testing import CliRunner

    from disputeflow.cli import cli

    args = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home),
            "connections", "register-webhooks", connection["id"], "--json"]  # fmt: skip
    result = CliRunner().invoke(cli, args, obj=fake_plugins, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["topics"] == ["disputes/create", "disputes/update"]
    assert data["webhook_url"].endswith(f"/webhooks/fake/{connection['id']}")


def test_update_connection_settings_revalidates_and_reencrypts(runtime, connection):
    runtime.update_connection_settings(connection["id"], {"signing_secret": "rotated"})
    with runtime.database.session() as session:
        row = session.get(ConnectionRow, connection["id"])
        assert "rotated" not in row.secrets
        assert runtime.connection(row).settings["signing_secret"] == "rotated"
    from disputeflow.core.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="shop"):
        runtime.update_connection_settings(connection["id"], {"shop": ""})
