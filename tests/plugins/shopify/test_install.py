"""Installing into an existing store: the OAuth flow through the Flask test client."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from disputeflow.core.clock import utcnow
from disputeflow.plugins.shopify import oauth
from disputeflow.plugins.shopify.install import SCOPES
from tests.plugins.shopify.conftest import GRAPHQL, SHOP, graphql_router

APP_SECRET = "shpss_app_secret"
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"


@pytest.fixture(autouse=True)
def app_credentials(monkeypatch):
    monkeypatch.setenv("DISPUTEFLOW_SHOPIFY_CLIENT_ID", "app-client-id")
    monkeypatch.setenv("DISPUTEFLOW_SHOPIFY_CLIENT_SECRET", APP_SECRET)


def signed_query(**params):
    params.setdefault("timestamp", str(int(time.time())))
    return {**params, "hmac": oauth.query_hmac(params, APP_SECRET)}


def subscriptions_ok(api, existing=()):
    created = {
        "data": {
            "webhookSubscriptionCreate": {"webhookSubscription": {"id": "w"}, "userErrors": []}
        }
    }
    listing = {
        "data": {
            "webhookSubscriptions": {"nodes": list(existing), "pageInfo": {"hasNextPage": False}}
        }
    }
    return graphql_router(
        api, {"WebhookSubscriptions": [listing], "WebhookSubscriptionCreate": [created]}
    )


def test_known_answer_of_shopifys_python_library():
    params = {
        "shop": "some-shop.myshopify.com",
        "code": "a94a110d86d2452eb3e2af4cfb8a3828",
        "timestamp": "1337178173",
    }
    assert oauth.query_hmac(params, "hush") == (
        "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"
    )


def test_install_redirects_to_shopifys_consent_page(app_client, runtime):
    response = app_client.get("/install/shopify", query_string=signed_query(shop=SHOP))
    assert response.status_code == 302
    url = urlparse(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (url.scheme, url.netloc, url.path) == ("https", SHOP, "/admin/oauth/authorize")
    assert query["client_id"] == "app-client-id"
    assert query["scope"].split(",") == list(SCOPES)
    assert query["redirect_uri"] == "http://127.0.0.1:8000/install/shopify/callback"
    oauth.check_state(query["state"], SHOP, APP_SECRET, utcnow())


@pytest.mark.parametrize("shop", ["evil.example.com", "", "a.myshopify.com.evil.io"])
def test_install_refuses_a_shop_that_is_not_myshopify(app_client, runtime, shop):
    response = app_client.get("/install/shopify", query_string={"shop": shop})
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid_input"


def test_install_without_app_credentials_says_what_to_set(app_client, runtime, monkeypatch):
    monkeypatch.delenv("DISPUTEFLOW_SHOPIFY_CLIENT_SECRET")
    response = app_client.get("/install/shopify", query_string={"shop": SHOP})
    assert response.status_code == 500
    assert "DISPUTEFLOW_SHOPIFY_CLIENT_SECRET" in response.get_json()["message"]


def test_callback_stores_the_connection_and_subscribes_webhooks(app_client, runtime, api):
    state = oauth.make_state(SHOP, APP_SECRET, utcnow())
    api.post(TOKEN_URL, json={"access_token": "shpat_new", "scope": "read_orders,read_returns"})
    sent = subscriptions_ok(
        api, existing=[{"id": "1", "topic": "DISPUTES_CREATE", "uri": "http://elsewhere/"}]
    )
    response = app_client.get(
        "/install/shopify/callback", query_string=signed_query(shop=SHOP, code="c0de", state=state)
    )
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["status"], answer["shop"], answer["errors"]) == ("installed", SHOP, [])
    assert answer["scopes"] == ["read_orders", "read_returns"]
    assert len(answer["topics"]) == 10
    exchange = api.calls[0].request
    assert exchange.url == TOKEN_URL
    assert responses.matchers.json_params_matcher(
        {"client_id": "app-client-id", "client_secret": APP_SECRET, "code": "c0de"}
    )(exchange)[0]
    creates = [body["variables"] for name, body in sent if name == "WebhookSubscriptionCreate"]
    assert {c["topic"] for c in creates} >= {"DISPUTES_CREATE", "RETURNS_REQUEST", "REFUNDS_CREATE"}
    assert creates[0]["webhookSubscription"] == {"uri": answer["webhook_url"], "format": "JSON"}
    with runtime.database.session() as session:
        from disputeflow.core.store import connections as store

        row = store.get_row(session, answer["connection_id"])
        settings = runtime.connection(row).settings
    assert (settings["access_token"], settings["client_secret"]) == ("shpat_new", APP_SECRET)


def test_reinstall_updates_the_token_of_the_same_connection(app_client, runtime, api):
    subscriptions_ok(api)
    ids = []
    for token in ("shpat_one", "shpat_two"):
        api.post(TOKEN_URL, json={"access_token": token, "scope": ""})
        state = oauth.make_state(SHOP, APP_SECRET, utcnow())
        response = app_client.get(
            "/install/shopify/callback", query_string=signed_query(shop=SHOP, code="c", state=state)
        )
        ids.append(response.get_json()["connection_id"])
    assert ids[0] == ids[1]
    with runtime.database.session() as session:
        from disputeflow.core.store import connections as store

        assert (
            runtime.connection(store.get_row(session, ids[0])).settings["access_token"]
            == "shpat_two"
        )


def test_failed_webhook_registration_keeps_the_connection(app_client, runtime, api):
    api.post(TOKEN_URL, json={"access_token": "shpat_new", "scope": ""})
    api.post(GRAPHQL, status=403, json={"errors": "access denied"})
    state = oauth.make_state(SHOP, APP_SECRET, utcnow())
    response = app_client.get(
        "/install/shopify/callback", query_string=signed_query(shop=SHOP, code="c", state=state)
    )
    answer = response.get_json()
    assert response.status_code == 200
    assert answer["connection_id"]
    assert "HTTP 403" in answer["errors"][0]


@pytest.mark.parametrize(
    "tamper",
    ["hmac", "state_shop", "state_age", "timestamp", "no_code"],
)
def test_callback_refuses_what_it_cannot_trust(app_client, runtime, api, tamper):
    now = utcnow()
    state = oauth.make_state(
        "other.myshopify.com" if tamper == "state_shop" else SHOP,
        APP_SECRET,
        now.replace(year=now.year - 1) if tamper == "state_age" else now,
    )
    params = {"shop": SHOP, "code": "c", "state": state}
    if tamper == "timestamp":
        params["timestamp"] = str(int(time.time()) - 3600)
    if tamper == "no_code":
        params.pop("code")
    query = signed_query(**params)
    if tamper == "hmac":
        query["hmac"] = "0" * 64
    response = app_client.get("/install/shopify/callback", query_string=query)
    assert response.status_code == (422 if tamper == "no_code" else 401)
    assert not api.calls  # no code exchange for an untrusted callback
