"""Installing into an existing store: the OAuth flow through the Flask test client."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import ConnectionState
from disputeflow.engine import install_links
from disputeflow.engine.store import connections as store
from disputeflow.plugins.shopify import oauth
from disputeflow.plugins.shopify.install import SCOPES, STATE_COOKIE
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


def consent_query(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    url = urlparse(response.headers["Location"])
    assert (url.scheme, url.netloc, url.path) == ("https", SHOP, "/admin/oauth/authorize")
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def stored_settings(runtime, connection_id):
    with runtime.database.session() as session:
        row = store.get_row(session, connection_id)
        return runtime.connection(row).settings, row.state


def callback(app_client, *, code="c0de", cookie=True, state=None):
    state = state or oauth.make_state(SHOP, APP_SECRET, utcnow())
    if cookie:
        app_client.set_cookie(STATE_COOKIE, state, path="/install/shopify")
    return app_client.get(
        "/install/shopify/callback", query_string=signed_query(shop=SHOP, code=code, state=state)
    )


def installed_id(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlparse(response.headers["Location"]).path
    assert location.startswith("/workspace/connections/con_")
    return location.rsplit("/", 1)[1]


def test_install_from_the_shopify_admin_goes_to_the_consent_page(app_client, runtime):
    response = app_client.get("/install/shopify", query_string=signed_query(shop=SHOP))
    query = consent_query(response)
    assert query["client_id"] == "app-client-id"
    assert query["scope"].split(",") == list(SCOPES)
    assert "read_all_orders" in query["scope"].split(",")
    assert query["redirect_uri"] == "http://127.0.0.1:8000/install/shopify/callback"
    oauth.check_state(query["state"], SHOP, APP_SECRET, utcnow())
    cookie = response.headers["Set-Cookie"]
    assert f"{STATE_COOKIE}={query['state']}" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_an_unsigned_install_from_a_stranger_is_refused(app_client, runtime):
    response = app_client.get("/install/shopify", query_string={"shop": SHOP})
    assert response.status_code == 403
    assert "install-link" in response.get_json()["message"]
    forged = signed_query(shop=SHOP)
    forged["hmac"] = "0" * 64
    assert app_client.get("/install/shopify", query_string=forged).status_code == 401


def test_a_signed_install_link_starts_the_install(app_client, runtime):
    market = runtime.plugins.marketplace("shopify")
    url, _ = install_links.install_url(runtime.secrets, "http://127.0.0.1:8000", market, SHOP)
    parsed = urlparse(url)
    assert parsed.path == "/install/shopify"
    response = app_client.get(f"{parsed.path}?{parsed.query}")
    assert consent_query(response)["client_id"] == "app-client-id"


def test_an_install_link_for_another_shop_altered_or_expired_is_refused(app_client, runtime):
    secrets, now = runtime.secrets, utcnow()
    other = install_links.sign(secrets, "shopify", "other.myshopify.com", now.replace(year=2099))
    good = install_links.sign(secrets, "shopify", SHOP, now.replace(year=2099))
    expired = install_links.sign(secrets, "shopify", SHOP, now.replace(year=2020))
    for link, status in ((other, 403), (good[:-2] + "xx", 403), (expired, 410)):
        response = app_client.get("/install/shopify", query_string={"shop": SHOP, "link": link})
        assert response.status_code == status, link


def test_the_app_url_of_an_installed_shop_opens_the_workspace(app_client, runtime, connection):
    connection = connection["id"]
    response = app_client.get("/install/shopify", query_string=signed_query(shop=SHOP))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workspace/connections/{connection}"
    runtime.set_connection_state(connection, ConnectionState.UNINSTALLED, "gone")
    again = app_client.get("/install/shopify", query_string=signed_query(shop=SHOP))
    consent_query(again)  # an uninstalled shop installs again


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


# The answer of an expiring offline token, as shopify.dev's "Offline access tokens" page and
# the changelog "Offline access tokens now support expiry and refresh" describe it.
EXPIRING = {
    "access_token": "shpat_new",
    "scope": "read_orders,read_returns",
    "expires_in": 3600,
    "refresh_token": "shprt_first",
    "refresh_token_expires_in": 7776000,
}


def test_callback_stores_an_expiring_token_and_ends_on_the_workspace(app_client, runtime, api):
    api.post(TOKEN_URL, json=EXPIRING)
    sent = subscriptions_ok(
        api, existing=[{"id": "1", "topic": "DISPUTES_CREATE", "uri": "http://elsewhere/"}]
    )
    before = utcnow()
    connection_id = installed_id(callback(app_client))
    exchange = api.calls[0].request
    assert exchange.url == TOKEN_URL
    assert responses.matchers.json_params_matcher(
        {"client_id": "app-client-id", "client_secret": APP_SECRET, "code": "c0de", "expiring": "1"}
    )(exchange)[0]
    creates = [body["variables"] for name, body in sent if name == "WebhookSubscriptionCreate"]
    topics = {c["topic"] for c in creates}
    assert topics >= {"DISPUTES_CREATE", "RETURNS_REQUEST", "APP_UNINSTALLED"}
    settings, state = stored_settings(runtime, connection_id)
    assert (settings["access_token"], settings["refresh_token"]) == ("shpat_new", "shprt_first")
    assert (settings["client_id"], settings["client_secret"]) == ("app-client-id", APP_SECRET)
    expires = oauth_time(settings["access_token_expires_at"])
    assert 3590 <= (expires - before).total_seconds() <= 3610
    assert state == "active"


def oauth_time(text):
    from disputeflow.core.clock import parse_rfc3339

    return parse_rfc3339(text)


def test_the_code_is_exchanged_once_even_when_shopify_fails(app_client, runtime, api):
    api.post(TOKEN_URL, status=503, json={"errors": "unavailable"})
    response = callback(app_client)
    assert response.status_code == 502
    assert len(api.calls) == 1  # a single-use code is never sent twice


def test_a_callback_from_another_browser_is_refused(app_client, runtime, api):
    response = callback(app_client, cookie=False)
    assert response.status_code == 403
    assert not api.calls


def test_reinstall_updates_the_same_connection_and_makes_it_active(app_client, runtime, api):
    subscriptions_ok(api)
    api.post(TOKEN_URL, json=EXPIRING)
    first = installed_id(callback(app_client))
    runtime.set_connection_state(first, ConnectionState.NEEDS_REAUTH, "refused")
    api.post(TOKEN_URL, json={"access_token": "shpat_two", "scope": ""})  # non-expiring
    second = installed_id(callback(app_client, code="c2"))
    assert first == second
    settings, state = stored_settings(runtime, first)
    assert settings["access_token"] == "shpat_two"
    assert "refresh_token" not in settings
    assert "access_token_expires_at" not in settings
    assert state == "active"


def test_failed_webhook_registration_keeps_the_connection(app_client, runtime, api):
    api.post(TOKEN_URL, json=EXPIRING)
    api.post(GRAPHQL, status=403, json={"errors": "access denied"})
    connection_id = installed_id(callback(app_client))
    assert stored_settings(runtime, connection_id)[0]["access_token"] == "shpat_new"


@pytest.mark.parametrize(
    "tamper",
    ["hmac", "state_shop", "state_age", "timestamp", "superscript", "no_code"],
)
def test_callback_refuses_what_it_cannot_trust(app_client, runtime, api, tamper):
    now = utcnow()
    state = oauth.make_state(
        "other.myshopify.com" if tamper == "state_shop" else SHOP,
        APP_SECRET,
        now.replace(year=now.year - 1) if tamper == "state_age" else now,
    )
    app_client.set_cookie(STATE_COOKIE, state, path="/install/shopify")
    params = {"shop": SHOP, "code": "c", "state": state}
    if tamper == "timestamp":
        params["timestamp"] = str(int(time.time()) - 3600)
    if tamper == "superscript":  # a digit to str.isdigit, not to int(): 401, never 500
        params["timestamp"] = "\u00b2"
    if tamper == "no_code":
        params.pop("code")
    query = signed_query(**params)
    if tamper == "hmac":
        query["hmac"] = "0" * 64
    response = app_client.get("/install/shopify/callback", query_string=query)
    assert response.status_code == (422 if tamper == "no_code" else 401)
    assert not api.calls  # no code exchange for an untrusted callback
