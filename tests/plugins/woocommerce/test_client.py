"""The REST client: both authentication modes, pagination, and the store's errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
import requests
from responses import matchers

from disputeflow import MarketplaceError, UnsupportedError
from disputeflow.plugins.woocommerce.client import WooClient
from tests.plugins.woocommerce.conftest import API, KEY, KEY_SECRET, fixture, wc_settings

HTTP_STORE = "http://shop.test"


def client_for(store=None, waits=None, **settings):
    changes = {"store_url": store} if store else {}
    sleep = waits.append if waits is not None else (lambda seconds: None)
    return WooClient(wc_settings(**changes, **settings), sleep=sleep)


def wc_check_oauth_signature(url: str, method: str, home: str) -> None:
    """WooCommerce's own check (``WC_REST_Authentication::check_oauth_signature``), written
    again from the PHP: rawurlencode(rawurldecode()) each key and value, '%' -> '%25', sort
    by key, join as ``k%3Dv`` with ``%26``; key = secret + '&'."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = params.pop("oauth_signature")
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert params["oauth_consumer_key"] == KEY
    assert abs(int(params["oauth_timestamp"]) - time.time()) < 15 * 60

    def normalise(text: str) -> str:
        return quote(unquote(text), safe="~").replace("%", "%25")

    pairs = sorted((normalise(k), normalise(v)) for k, v in params.items())
    joined = "%26".join(f"{k}%3D{v}" for k, v in pairs)
    base = f"{method}&{quote(home + parts.path, safe='')}&{joined}"
    digest = hmac.new(f"{KEY_SECRET}&".encode(), base.encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(base64.b64encode(digest).decode(), signature.replace(" ", "+"))


def test_https_uses_basic_auth(api):
    api.get(f"{API}/orders/727", json=fixture("order_retrieve_response.json"))
    body = client_for().get_json("orders/727")
    assert body["id"] == 727
    request = api.calls[0].request
    expected = base64.b64encode(f"{KEY}:{KEY_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Accept"] == "application/json"
    assert "oauth_signature" not in request.url


def test_plain_http_signs_with_oauth1_in_the_query(api):
    api.get(f"{HTTP_STORE}/wp-json/wc/v3/orders", json=[])
    list(client_for(HTTP_STORE).pages("orders", {"modified_after": "2026-11-01T00:00:00"}))
    request = api.calls[0].request
    assert "Authorization" not in request.headers
    wc_check_oauth_signature(request.url, "GET", HTTP_STORE)
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query["modified_after"] == "2026-11-01T00:00:00"
    assert query["per_page"] == "100"


def test_oauth1_leaves_a_json_body_unsigned(api):
    url = f"{HTTP_STORE}/wp-json/wc/v3/orders/727/refunds"
    api.post(
        url,
        status=201,
        json=fixture("refund_create_response.json"),
        match=[matchers.json_params_matcher({"amount": "10.00", "reason": "x"})],
    )
    client_for(HTTP_STORE).post_json("orders/727/refunds", {"amount": "10.00", "reason": "x"})
    wc_check_oauth_signature(api.calls[0].request.url, "POST", HTTP_STORE)


def test_each_oauth1_request_has_a_fresh_nonce(api):
    api.get(f"{HTTP_STORE}/wp-json/wc/v3/orders/1", json={})
    client = client_for(HTTP_STORE)
    client.get_json("orders/1")
    client.get_json("orders/1")
    nonces = {dict(parse_qsl(urlsplit(c.request.url).query))["oauth_nonce"] for c in api.calls}
    assert len(nonces) == 2


def test_a_connection_without_keys_cannot_call():
    settings = wc_settings()
    del settings["consumer_key"], settings["consumer_secret"]
    with pytest.raises(MarketplaceError, match="no API keys yet") as info:
        WooClient(settings)
    assert info.value.transient is False


def test_pages_follow_x_wp_totalpages(api):
    for page, ids in ((1, [1, 2]), (2, [3])):
        api.get(
            f"{API}/orders",
            json=[{"id": i} for i in ids],
            headers={"X-WP-Total": "3", "X-WP-TotalPages": "2"},
            match=[matchers.query_param_matcher({"page": str(page), "per_page": "100"})],
        )
    pages = list(client_for().pages("orders", {}))
    assert [[o["id"] for o in page] for page in pages] == [[1, 2], [3]]


def test_pages_follow_the_link_header_when_totals_are_missing(api):
    api.get(
        f"{API}/webhooks",
        json=[{"id": 1}],
        headers={"Link": f'<{API}/webhooks?page=2>; rel="next"'},
        match=[matchers.query_param_matcher({"page": "1", "per_page": "100"})],
    )
    api.get(
        f"{API}/webhooks",
        json=[{"id": 2}],
        headers={"Link": f'<{API}/webhooks?page=1>; rel="prev"'},
        match=[matchers.query_param_matcher({"page": "2", "per_page": "100"})],
    )
    assert [p[0]["id"] for p in client_for().pages("webhooks", {})] == [1, 2]


@pytest.mark.parametrize(
    ("status", "body", "code", "hint"),
    [
        (
            401,
            {
                "code": "woocommerce_rest_authentication_error",
                "message": "Consumer secret is invalid.",
                "data": {"status": 401},
            },
            "woocommerce_rest_authentication_error",
            "check the consumer key",
        ),
        (404, fixture("error_rest_no_route.json"), "rest_no_route", "is the plugin active"),
        (
            404,
            fixture("error_woocommerce_rest_term_invalid.json"),
            "woocommerce_rest_term_invalid",
            None,
        ),
        (
            400,
            {
                "code": "rest_invalid_param",
                "message": "Invalid parameter(s): status",
                "data": {"status": 400, "params": {"status": "status is not one of ..."}},
            },
            "rest_invalid_param",
            None,
        ),
        (422, {"code": "unprocessable", "message": "Nope."}, "unprocessable", None),
    ],
)
def test_refusals_are_permanent_in_the_stores_words(api, status, body, code, hint):
    api.get(f"{API}/orders/727", status=status, json=body)
    with pytest.raises(MarketplaceError) as info:
        client_for().get_json("orders/727")
    error = info.value
    assert (error.transient, error.platform_status) == (False, status)
    assert code in error.message
    assert body["message"] in error.message
    assert hint is None or hint in error.message
    assert KEY not in error.message
    assert KEY_SECRET not in error.message
    assert not isinstance(error, UnsupportedError)
    assert len(api.calls) == 1  # a refusal is not retried


def test_429_is_retried_honouring_retry_after(api):
    waits = []
    api.get(f"{API}/orders/727", status=429, headers={"Retry-After": "3"}, json={})
    api.get(f"{API}/orders/727", json={"id": 727})
    assert client_for(waits=waits).get_json("orders/727") == {"id": 727}
    assert waits == [3.0]


def test_a_long_retry_after_ends_the_call_as_transient(api):
    api.get(f"{API}/orders/727", status=429, headers={"Retry-After": "120"}, json={})
    with pytest.raises(MarketplaceError) as info:
        client_for().get_json("orders/727")
    assert (info.value.transient, info.value.retry_after) == (True, 120.0)


def test_5xx_is_retried_then_transient(api):
    waits = []
    api.get(f"{API}/orders/727", status=502, body="Bad gateway")
    with pytest.raises(MarketplaceError) as info:
        client_for(waits=waits).get_json("orders/727")
    assert info.value.transient is True
    assert info.value.platform_status == 502
    assert len(api.calls) == 3
    assert len(waits) == 2


def test_a_timeout_is_transient(api):
    api.get(f"{API}/orders/727", body=requests.Timeout("slow store"))
    with pytest.raises(MarketplaceError) as info:
        client_for().get_json("orders/727")
    assert info.value.transient is True


def test_the_refund_error_with_bare_integer_data_is_permanent(api):
    """``WP_Error(..., 500)``: HTTP 500, yet the same refusal every time; sent once."""
    api.post(
        f"{API}/orders/727/refunds",
        status=500,
        json=fixture("error_woocommerce_rest_cannot_create_order_refund.json"),
    )
    with pytest.raises(MarketplaceError) as info:
        client_for().post_json("orders/727/refunds", {"amount": "10.00"})
    error = info.value
    assert error.transient is False
    assert "does not support automatic refunds" in error.message
    assert "api_refund=false" in error.message
    assert len(api.calls) == 1


def test_a_write_that_meets_a_5xx_is_sent_once_and_transient(api):
    api.post(
        f"{API}/orders/727/notes", status=503, json={"code": "x", "message": "down", "data": None}
    )
    with pytest.raises(MarketplaceError) as info:
        client_for().post_json("orders/727/notes", {"note": "hi"})
    assert info.value.transient is True
    assert len(api.calls) == 1


def test_a_page_that_is_not_json_is_transient(api):
    api.get(f"{API}/orders/727", body="<html>Just a moment...</html>")
    with pytest.raises(MarketplaceError, match="did not answer JSON") as info:
        client_for().get_json("orders/727")
    assert info.value.transient is True


def test_decimals_stay_exact(api):
    api.get(f"{API}/orders/727", body='{"id": 727, "price": 0.1}')
    body = client_for().get_json("orders/727")
    assert str(body["price"]) == "0.1"
    assert not isinstance(body["price"], float)
