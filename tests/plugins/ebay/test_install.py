"""Installing into an existing eBay account (consent, code exchange) and OAuth tokens."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import responses

from disputeflow import MarketplaceError
from disputeflow.core.testing import make_connection
from disputeflow.engine.http import PlatformClient
from disputeflow.engine.store import connections
from disputeflow.plugins.ebay.install import make_state
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.oauth import USER_SCOPES, TokenStore
from tests.plugins.ebay.conftest import (
    API,
    EBAY_SIGNATURE_EXAMPLE,
    SETTINGS,
    TOKEN_URL,
    Clock,
    created_signing_key,
)
from tests.plugins.ebay.payloads import a_return

RU_NAME = "Disputeflow_De-Disputef-demo-PRD-abcdefghi"


def stored_connection(runtime, connection_id):
    with runtime.database.session() as session:
        return runtime.connection(connections.get_row(session, connection_id))


def test_install_needs_the_ru_name(client, shop):
    response = client.get(f"/install/ebay/{shop['id']}")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"ru_name": ["required for the install flow"]}


@pytest.mark.parametrize(
    ("environment", "host"),
    [("production", "https://auth.ebay.com"), ("sandbox", "https://auth.sandbox.ebay.com")],
)
def test_install_sends_the_seller_to_ebays_consent_page(client, runtime, shop, environment, host):
    runtime.update_connection_settings(shop["id"], {"ru_name": RU_NAME, "environment": environment})
    response = client.get(f"/install/ebay/{shop['id']}")
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{host}/oauth2/authorize"
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query["client_id"] == SETTINGS["client_id"]
    assert query["redirect_uri"] == RU_NAME
    assert query["response_type"] == "code"
    assert query["scope"].split(" ") == list(USER_SCOPES)
    assert "https://api.ebay.com/oauth/api_scope/sell.payment.dispute" in query["scope"]
    assert query["state"].startswith(shop["id"] + ".")


def test_the_callback_stores_the_refresh_token_and_uses_the_access_token(
    client, runtime, shop, mocked, ebay
):
    runtime.update_connection_settings(shop["id"], {"ru_name": RU_NAME})
    state = make_state(stored_connection(runtime, shop["id"]), int(time.time()))
    response = client.get(f"/install/ebay/callback?code=v%5E1.1%23code&state={state}")
    assert response.status_code == 200
    assert "connected" in response.get_data(as_text=True)

    exchange = mocked.calls("/oauth2/token")[0].request
    pair = f"{SETTINGS['client_id']}:{SETTINGS['client_secret']}".encode()
    assert exchange.headers["Authorization"] == "Basic " + base64.b64encode(pair).decode()
    form = {k: unquote(v) for k, v in mocked.token_forms[0].items()}
    assert form == {
        "grant_type": "authorization_code",
        "code": "v^1.1#code",
        "redirect_uri": RU_NAME,
    }
    installed = stored_connection(runtime, shop["id"])
    assert installed.settings["refresh_token"] == "v^1.1#granted"

    read = mocked.get("post-order/v2/return/5000012345", a_return())
    ebay.api(installed).post_order("GET", "return/5000012345")
    assert read.calls[0].request.headers["Authorization"] == "IAF from-code"
    assert mocked.user_tokens == 0  # no refresh needed: the exchange's token was kept

    # an EU (EBAY_DE) seller: the app's signing key is created once and kept, encrypted
    assert mocked.signing_keys.call_count == 1
    assert json.loads(mocked.signing_keys.calls[0].request.body) == {"signingKeyCipher": "ED25519"}
    assert installed.settings["signing_key_jwe"] == EBAY_SIGNATURE_EXAMPLE["jwe"]
    assert installed.settings["signing_key_id"] == "ed25519-test-key"
    with runtime.database.session() as session:
        raw = json.dumps(connections.get_row(session, shop["id"]).settings)
    assert created_signing_key()["privateKey"] not in raw  # encrypted at rest


@pytest.mark.parametrize("problem", ["forged", "expired", "other_connection", "superscript"])
def test_the_callback_refuses_a_state_it_did_not_issue(client, runtime, shop, mocked, problem):
    connection = stored_connection(runtime, shop["id"])
    issued = int(time.time()) - (4000 if problem == "expired" else 0)
    state = make_state(connection, issued)
    if problem == "forged":
        state = state[:-4] + "0000"
    if problem == "other_connection":
        other = runtime.add_connection("ebay", "other", {**SETTINGS, "client_secret": "else"})
        state = other["id"] + state[len(shop["id"]) :]
    if problem == "superscript":  # a digit to str.isdigit, not to int(): 401, never 500
        state = f"{shop['id']}.\u00b2.{state.rsplit('.', 1)[1]}"
    response = client.get(f"/install/ebay/callback?code=abc&state={state}")
    assert response.status_code == 401
    assert mocked.token_forms == []
    assert (
        stored_connection(runtime, shop["id"]).settings["refresh_token"]
        == SETTINGS["refresh_token"]
    )


def test_a_seller_who_declines_is_told_so(client, shop):
    response = client.get("/install/ebay/callback?error=access_denied&error_description=no")
    assert response.status_code == 400
    assert "did not grant access" in response.get_data(as_text=True)


def test_a_refresh_token_ebay_rotates_is_used_from_then_on():
    clock = Clock()
    store = TokenStore(clock)
    connection = make_connection(EbayMarketplace(), {**SETTINGS, "api_base_url": API})
    forms = []

    def answer(request):
        forms.append(parse_qs(request.body))
        count = len(forms)
        body = f'{{"access_token": "t{count}", "expires_in": 7200, "refresh_token": "r{count}"}}'
        return 200, {}, body

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=answer)
        http = PlatformClient(API, sleep=lambda _: None)
        assert store.user_token(http, connection) == "t1"
        assert store.user_token(http, connection) == "t1"  # cached
        clock.advance(hours=2)
        assert store.user_token(http, connection) == "t2"
    assert [form["refresh_token"] for form in forms] == [[SETTINGS["refresh_token"]], ["r1"]]
    assert forms[0]["scope"] == [" ".join(USER_SCOPES)]


def test_a_token_endpoint_outage_is_transient(mocked):
    store = TokenStore(Clock())
    mocked.mock.remove(responses.POST, TOKEN_URL)
    mocked.mock.post(TOKEN_URL, status=503, json={"error": "temporarily_unavailable"})
    with pytest.raises(MarketplaceError) as info:
        store.app_token(PlatformClient(API, sleep=lambda _: None), {**SETTINGS})
    assert info.value.transient is True
