"""Fixtures for the HTTP side: an app, its test client, a live waitress server, a
connection of the fake marketplace, and signed deliveries for it."""

from __future__ import annotations

import itertools
import threading

import pytest
import waitress
from waitress.server import create_server

from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.webhooks.app import create_app
from tests.fakes.marketplace import encode, sign

SECRET = "whsec-test"
SHOP = "eu-shop"


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": SECRET, "shop": SHOP})


_ids = itertools.count(1)


def dispute(external_id="d1", status="needs_response", updated_at="2026-11-01T10:00:00Z", **extra):
    payload = {
        "id": external_id,
        "type": "dispute",
        "status": status,
        "reason": "fraudulent",
        "amount": "12.50",
        "currency": "EUR",
        "opened_at": "2026-11-01T09:00:00Z",
        "updated_at": updated_at,
    }
    payload.update(extra)
    return payload


def signed(payload, *, delivery_id=None, secret=SECRET, shop=SHOP, body=None):
    """``(body, headers)`` of a delivery as the fake platform sends it."""
    body = body if body is not None else encode(payload)
    headers = {
        "Content-Type": "application/json",
        "X-Fake-Signature": sign(body, secret),
        "X-Fake-Shop": shop,
        "X-Fake-Delivery-Id": delivery_id or f"dlv-{next(_ids)}",
        "X-Fake-Topic": "disputes/update",
    }
    return body, headers


def drain(runtime, **options):
    """Process every due delivery now; returns the total processed and failed."""
    processed = failed = 0
    options.setdefault("policy", RetryPolicy(max_attempts=3, backoff_seconds=(0,)))
    while True:
        report = process_deliveries(runtime, **options)
        if not report.processed and not report.failed:
            return processed, failed
        processed += report.processed
        failed += report.failed


@pytest.fixture
def live_server(app):
    """The app on a real waitress server at 127.0.0.1 (random port)."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


assert waitress  # the production server the service runs on
