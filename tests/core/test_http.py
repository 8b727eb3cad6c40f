"""PlatformClient: timeouts, retries with backoff, Retry-After, one error type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses

from disputeflow.core.errors import MarketplaceError
from disputeflow.engine.http import PlatformClient, error_message, retry_after_seconds

BASE = "https://platform.test/api"


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(waits):
    return PlatformClient(BASE, headers={"X-Token": "t"}, retries=2, sleep=waits.append)


@responses.activate
def test_retries_500_then_429_with_retry_after_then_succeeds(client, waits):
    responses.get(f"{BASE}/orders", status=500)
    responses.get(f"{BASE}/orders", status=429, headers={"Retry-After": "3"})
    responses.get(f"{BASE}/orders", json={"ok": True})
    assert client.json("GET", "orders") == {"ok": True}
    assert len(responses.calls) == 3
    assert responses.calls[0].request.headers["X-Token"] == "t"
    assert 0.4 <= waits[0] <= 0.6  # backoff with jitter
    assert waits[1] == 3.0  # Retry-After honoured


@responses.activate
def test_gives_up_as_transient_after_the_retries(client, waits):
    responses.get(f"{BASE}/orders", status=503, json={"message": "maintenance"})
    with pytest.raises(MarketplaceError) as raised:
        client.json("GET", "orders")
    assert raised.value.transient
    assert raised.value.platform_status == 503
    assert "maintenance" in raised.value.message
    assert len(responses.calls) == 3
    assert len(waits) == 2


@responses.activate
def test_a_long_retry_after_is_handed_to_the_outbox_not_slept(client, waits):
    responses.post(f"{BASE}/refunds", status=429, headers={"Retry-After": "120"})
    with pytest.raises(MarketplaceError) as raised:
        client.json("POST", "refunds", json={})
    assert raised.value.transient
    assert raised.value.retry_after == 120
    assert waits == []
    assert len(responses.calls) == 1


@responses.activate
def test_4xx_is_permanent_with_the_platforms_message(client):
    responses.post(f"{BASE}/refunds", status=422, json={"errors": {"amount": ["too large"]}})
    with pytest.raises(MarketplaceError) as raised:
        client.json("POST", "refunds", json={})
    assert not raised.value.transient
    assert raised.value.platform_status == 422
    assert "too large" in raised.value.message


@responses.activate
def test_timeouts_and_connection_errors_are_retried_then_transient(client, waits):
    responses.get(f"{BASE}/slow", body=requests.Timeout("read timed out"))
    responses.get(f"{BASE}/slow", body=requests.ConnectionError("refused"))
    responses.get(f"{BASE}/slow", body=requests.ConnectionError("refused"))
    with pytest.raises(MarketplaceError) as raised:
        client.request("GET", "slow")
    assert raised.value.transient
    assert len(waits) == 2


@responses.activate
def test_an_answer_cut_short_is_retried_and_then_succeeds(client, waits):
    broken = requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(3 bytes)")
    responses.get(f"{BASE}/cert", body=broken)
    responses.get(f"{BASE}/cert", body="-----BEGIN CERTIFICATE-----")
    assert client.request("GET", "cert").text == "-----BEGIN CERTIFICATE-----"
    assert len(waits) == 1


@responses.activate
def test_a_request_that_cannot_be_sent_is_a_permanent_marketplace_error(client, waits):
    responses.get(f"{BASE}/bad", body=requests.exceptions.InvalidHeader("bad header value"))
    with pytest.raises(MarketplaceError, match="bad header value") as raised:
        client.request("GET", "bad")
    assert not raised.value.transient
    assert waits == []


@responses.activate
def test_absolute_urls_pass_through_and_empty_bodies_are_none(client):
    responses.delete("https://other.test/x", status=204)
    assert client.json("DELETE", "https://other.test/x") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("Thu, 26 Nov 2026 06:00:30 GMT", 30.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_parsing(value, expected):
    now = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now=now) == expected


@responses.activate
def test_error_message_falls_back_to_text():
    responses.get(f"{BASE}/html", status=502, body="<html>Bad gateway</html>")
    response = requests.get(f"{BASE}/html", timeout=1)
    assert error_message(response) == "<html>Bad gateway</html>"
