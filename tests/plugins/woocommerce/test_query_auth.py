"""Query-string authentication for hosts that strip ``Authorization``, and the keys kept out
of every error and log line.

WooCommerce REST API docs, "Authentication over HTTPS" (checked 2026-12-04): "Occasionally
some servers may not parse the Authorization header correctly (...) In this case, you may
provide the consumer key/secret as query string parameters instead", e.g.
``https://www.example.com/wp-json/wc/v3/orders?consumer_key=ck_...&consumer_secret=cs_...``;
the server reads them only when ``is_ssl()``.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from disputeflow import InvalidInputError, MarketplaceError
from disputeflow.engine.store.tables import SyncCursorRow
from disputeflow.engine.sync import run_due_syncs
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.redact import RedactingFilter, redact
from tests.plugins.woocommerce.conftest import API, KEY, KEY_SECRET, NOW, fixture, wc_settings


def test_query_string_auth_sends_the_keys_as_parameters(api):
    api.get(f"{API}/orders/727", json=fixture("order_retrieve_response.json"))
    client = WooClient(wc_settings(query_string_auth=True), sleep=lambda s: None)
    assert client.get_json("orders/727")["id"] == 727
    request = api.calls[0].request
    assert "Authorization" not in request.headers
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert (query["consumer_key"], query["consumer_secret"]) == (KEY, KEY_SECRET)


def test_query_string_auth_keeps_other_parameters(api):
    api.get(f"{API}/orders", json=[])
    client = WooClient(wc_settings(query_string_auth=True), sleep=lambda s: None)
    list(client.pages("orders", {"status": "any"}))
    query = dict(parse_qsl(urlsplit(api.calls[0].request.url).query))
    assert (query["status"], query["per_page"], query["consumer_key"]) == ("any", "100", KEY)


def test_query_string_auth_is_refused_for_a_plain_http_store(runtime):
    with pytest.raises(InvalidInputError) as raised:
        runtime.add_connection(
            "woocommerce", "http", wc_settings(store_url="http://shop.test", query_string_auth=True)
        )
    assert "query_string_auth" in str(raised.value.errors)


def test_a_failed_call_names_neither_key_nor_secret(api, caplog):
    """``requests`` quotes the full URL (credentials included) in its exception message."""
    caplog.set_level(logging.DEBUG)
    client = WooClient(wc_settings(query_string_auth=True), sleep=lambda s: None)
    with pytest.raises(MarketplaceError) as raised:
        client.get_json("orders/727")  # no such mock: a ConnectionError quoting the URL
    message = str(raised.value)
    assert "consumer_secret=***" in message
    for secret in (KEY, KEY_SECRET):
        assert secret not in message
        assert secret not in caplog.text


def test_a_failed_scheduled_sync_stores_no_key(runtime, api, caplog):
    caplog.set_level(logging.DEBUG)
    shop = runtime.add_connection("woocommerce", "qs", wc_settings(query_string_auth=True))
    assert run_due_syncs(runtime, now=NOW) == 1  # the orders call meets no mock: it fails
    with runtime.database.session() as session:
        row = session.scalar(select(SyncCursorRow).where(SyncCursorRow.connection_id == shop["id"]))
        stored = row.last_error
    assert stored
    assert "***" in stored
    for secret in (KEY, KEY_SECRET):
        assert secret not in stored
        assert secret not in caplog.text


def test_oauth_values_are_masked_too():
    text = "GET /wp-json/wc/v3/orders?oauth_consumer_key=ck_1a2b3c&oauth_signature=abc%2B%3D&x=1"
    assert redact(text) == (
        "GET /wp-json/wc/v3/orders?oauth_consumer_key=***&oauth_signature=***&x=1"
    )


def test_urllib3_log_lines_are_masked():
    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, __file__, 1,
        '%s://%s:%s "%s %s %s" %s %s',
        ("https", "example.com", 443, "GET",
         f"/wp-json/wc/v3/orders?consumer_key={KEY}&consumer_secret={KEY_SECRET}",
         "HTTP/1.1", 200, 10),
        None,
    )  # fmt: skip
    assert RedactingFilter().filter(record)
    assert KEY not in record.getMessage()
    assert KEY_SECRET not in record.getMessage()
