"""Installing into an existing store: the authorize URL, the key callback, the webhooks."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from responses import matchers

from disputeflow.cli import cli
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.core.taxonomy import Role
from disputeflow.engine.config import Settings
from disputeflow.engine.store import tokens
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.plugins.woocommerce.install import make_state, start_install
from tests.plugins.woocommerce.conftest import API, STORE, fixture, wc_settings

PUBLIC = "https://disputeflow.example"
CK = "ck_" + "7d" * 20
CS = "cs_" + "e4" * 20


@pytest.fixture
def settings(database_url, tmp_path):
    """An installation reachable over https, as WooCommerce's callback requires."""
    return Settings(
        home=tmp_path / "home", database_url=database_url, public_url=PUBLIC, secret_key=None
    )


def token(runtime, role):
    with runtime.database.session() as session:
        return tokens.create(session, name=f"t-{role}", role=role).token


def start(client, runtime, role=Role.ADMIN, **body):
    headers = {"Authorization": f"Bearer {token(runtime, role)}"} if role else {}
    payload = {"name": "main-store", "store_url": STORE, "woopayments": True, **body}
    return client.post("/install/woocommerce", json=payload, headers=headers)


def stored(runtime, connection_id):
    with runtime.database.session() as session:
        row = session.get(ConnectionRow, connection_id)
        return row, runtime.connection(row)


def keys_body(user_id, **changes):
    body = {
        **fixture("wc_auth_callback_post_body.json"),
        "user_id": user_id,
        "consumer_key": CK,
        "consumer_secret": CS,
    }
    return json.dumps({**body, **changes}).encode()


def post_keys(client, connection_id, body):
    return client.post(
        f"/install/woocommerce/{connection_id}/callback",
        data=body,
        content_type="application/json;charset=UTF-8",
    )


def serve_webhook_creation(api, webhook_url, secret):
    api.get(
        f"{API}/webhooks",
        json=fixture("webhooks_list_response.json"),
        match=[matchers.query_param_matcher({"status": "all"}, strict_match=False)],
    )
    for topic in ("order.created", "order.updated"):
        body = {
            "name": f"disputeflow {topic}",
            "topic": topic,
            "delivery_url": webhook_url,
            "secret": secret,
            "status": "active",
        }
        api.post(
            f"{API}/webhooks",
            status=201,
            json=fixture("webhook_create_response.json"),
            match=[matchers.json_params_matcher(body)],
        )


def test_starting_needs_an_admin_token(client, runtime):
    assert start(client, runtime, role=None).status_code == 401
    for lower in (Role.AGENT, Role.VIEWER):  # a lower role is forbidden, not a conflict
        refused = start(client, runtime, role=lower)
        assert refused.status_code == 403
        assert refused.get_json()["code"] == "forbidden"
    assert runtime.plugins.marketplace("woocommerce")  # nothing else changed
    with runtime.database.session() as session:
        assert session.query(ConnectionRow).count() == 0


def test_the_authorize_url_names_the_pending_connection(client, runtime):
    response = start(client, runtime)
    assert response.status_code == 201
    data = response.get_json()
    connection = data["connection"]
    assert connection["settings"]["store_url"] == STORE
    assert "consumer_key" not in connection["settings"]
    url = urlsplit(data["authorize_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{STORE}/wc-auth/v1/authorize"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    base = f"{PUBLIC}/install/woocommerce/{connection['id']}"
    assert query["app_name"] == "disputeflow"
    assert query["scope"] == "read_write"
    assert query["return_url"] == f"{base}/return"
    assert query["callback_url"] == f"{base}/callback"
    assert query["user_id"].startswith(f"{connection['id']}.")
    _, pending = stored(runtime, connection["id"])
    assert pending.settings["woopayments"] is True
    assert len(pending.settings["webhook_secret"]) >= 40


def test_the_callback_stores_the_keys_and_creates_the_webhooks(client, runtime, api):
    data = start(client, runtime).get_json()
    connection_id = data["connection"]["id"]
    user_id = parse_qs(urlsplit(data["authorize_url"]).query)["user_id"][0]
    row, pending = stored(runtime, connection_id)
    serve_webhook_creation(api, pending.webhook_url, pending.settings["webhook_secret"])
    response = post_keys(client, connection_id, keys_body(user_id))
    assert response.status_code == 200
    assert response.get_data() == b""
    assert len(api.calls) == 0
    response.close()  # the webhooks are created once the 200 has gone out
    row, connected = stored(runtime, connection_id)
    assert (connected.settings["consumer_key"], connected.settings["consumer_secret"]) == (CK, CS)
    assert CK not in json.dumps(row.settings)
    assert CK not in row.secrets
    assert len([c for c in api.calls if c.request.method == "POST"]) == 2
    page = client.get(f"/install/woocommerce/{connection_id}/return?success=1&user_id={user_id}")
    assert page.status_code == 200
    assert b"Store connected" in page.get_data()


def test_a_failure_to_create_webhooks_still_keeps_the_keys(client, runtime, api):
    data = start(client, runtime).get_json()
    connection_id = data["connection"]["id"]
    user_id = parse_qs(urlsplit(data["authorize_url"]).query)["user_id"][0]
    api.get(
        f"{API}/webhooks",
        status=401,
        json={
            "code": "woocommerce_rest_cannot_view",
            "message": "Sorry, you cannot list resources.",
            "data": {"status": 401},
        },
    )
    response = post_keys(client, connection_id, keys_body(user_id))
    assert response.status_code == 200
    response.close()
    assert stored(runtime, connection_id)[1].settings["consumer_key"] == CK


@pytest.mark.parametrize(
    ("make_user_id", "message"),
    [
        (lambda cid, secret: make_state(cid, "another-secret", utcnow()), "valid signature"),
        (lambda cid, secret: make_state("con_other", secret, utcnow()), "not issued"),
        (lambda cid, secret: make_state(cid, secret, utcnow() - timedelta(hours=2)), "expired"),
        (lambda cid, secret: 123, "not issued"),
    ],
)
def test_a_callback_not_made_for_this_install_is_refused(client, runtime, make_user_id, message):
    connection_id = start(client, runtime).get_json()["connection"]["id"]
    secret = stored(runtime, connection_id)[1].settings["webhook_secret"]
    response = post_keys(client, connection_id, keys_body(make_user_id(connection_id, secret)))
    assert response.status_code == 401
    assert message in response.get_json()["message"]
    assert "consumer_key" not in stored(runtime, connection_id)[1].settings


def test_keys_come_once_and_only_read_write(client, runtime, api):
    data = start(client, runtime).get_json()
    connection_id = data["connection"]["id"]
    user_id = parse_qs(urlsplit(data["authorize_url"]).query)["user_id"][0]
    narrow = post_keys(client, connection_id, keys_body(user_id, key_permissions="read"))
    assert narrow.status_code == 422
    api.get(f"{API}/webhooks", json=[])
    api.post(f"{API}/webhooks", status=201, json=fixture("webhook_create_response.json"))
    first = post_keys(client, connection_id, keys_body(user_id))
    first.close()
    again = post_keys(client, connection_id, keys_body(user_id, consumer_key="ck_" + "0" * 40))
    assert (first.status_code, again.status_code) == (200, 409)
    assert stored(runtime, connection_id)[1].settings["consumer_key"] == CK


def test_a_denied_install_says_so(client, runtime):
    connection_id = start(client, runtime).get_json()["connection"]["id"]
    page = client.get(f"/install/woocommerce/{connection_id}/return?success=0")
    assert b"Store not connected" in page.get_data()
    assert client.get("/install/woocommerce/con_nope/return").status_code == 404


def test_the_callback_must_be_https(runtime):
    runtime.settings = dataclasses.replace(runtime.settings, public_url="http://127.0.0.1:8000")
    with pytest.raises(InvalidInputError, match="https"):
        start_install(runtime, "shop", STORE)


def invoke(fake_plugins, runtime, *args):
    group = copy.copy(cli)  # plugin commands join a copy, not the process-wide group
    group.commands = dict(cli.commands)
    fake_plugins.hook.disputeflow_register_commands(cli=group)
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    result = CliRunner(env={"DISPUTEFLOW_PUBLIC_URL": PUBLIC}).invoke(
        group, [*base, *args], obj=fake_plugins, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_install_command_prints_the_url(runtime, fake_plugins):
    output = invoke(
        fake_plugins,
        runtime,
        "woocommerce",
        "install",
        "--name",
        "cli-store",
        "--store-url",
        STORE,
        "--return-status",
        "refund-requested",
        "--json",
    )
    data = json.loads(output)
    assert data["authorize_url"].startswith(f"{STORE}/wc-auth/v1/authorize?app_name=disputeflow")
    _, pending = stored(runtime, data["connection"]["id"])
    assert pending.settings["return_statuses"] == ["refund-requested"]


def test_register_webhooks_for_keys_made_by_hand(runtime, fake_plugins, api):
    connection = runtime.add_connection("woocommerce", "manual", wc_settings())
    hooks = fixture("webhooks_list_response.json")
    hooks[1].update(delivery_url=connection["webhook_url"], status="disabled")  # order.updated
    api.get(f"{API}/webhooks", json=hooks)
    api.put(
        f"{API}/webhooks/142",
        json=hooks[1],
        match=[
            matchers.json_params_matcher(
                {"secret": wc_settings()["webhook_secret"], "status": "active"}
            )
        ],
    )
    api.post(
        f"{API}/webhooks",
        status=201,
        json=fixture("webhook_create_response.json"),
        match=[
            matchers.json_params_matcher(
                {
                    "name": "disputeflow order.created",
                    "topic": "order.created",
                    "delivery_url": connection["webhook_url"],
                    "secret": wc_settings()["webhook_secret"],
                    "status": "active",
                }
            )
        ],
    )
    output = invoke(
        fake_plugins, runtime, "connections", "register-webhooks", connection["id"], "--json"
    )
    assert json.loads(output)["topics"] == ["order.created", "order.updated"]
