"""Fixtures of the Shopify plugin's tests: the plugin registered as the entry point would,
a shop's connection, signed deliveries through the HTTP intake, and the Admin API mocked.

No test sleeps for real (the adapter's ``sleep`` records instead) and none reaches the
internet (``responses`` refuses every unmocked call).
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
import responses
from sqlalchemy import select

from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow
from disputeflow.plugins.shopify.settings import DEFAULT_API_VERSION
from disputeflow.plugins.shopify.webhooks import signed_request
from disputeflow.webhooks.app import create_app
from tests.webhooks.conftest import drain

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "shpss_test_secret_1"
OLD_SECRET = "shpss_old_secret_0"
SHOP = "acme-eu.myshopify.com"
TOKEN = "shpat_test_token"
API = f"https://{SHOP}"
GRAPHQL = f"{API}/admin/api/{DEFAULT_API_VERSION}/graphql.json"
REST = f"{API}/admin/api/{DEFAULT_API_VERSION}"


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def fake_plugins(plugin_manager):
    """The manager with the Shopify plugin module registered, as its entry point does."""
    from disputeflow.plugins.shopify import plugin

    plugin_manager.register(plugin, name="shopify")
    return plugin_manager


@pytest.fixture
def market(runtime):
    return runtime.plugins.marketplace("shopify")


@pytest.fixture(autouse=True)
def sleeps(request):
    """What the adapter would have slept (it never does in tests)."""
    recorded = []
    if "runtime" in request.fixturenames:
        adapter = request.getfixturevalue("market")
        adapter.sleep = recorded.append
    return recorded


@pytest.fixture
def api():
    """Every outbound call must be mocked; unmocked ones fail."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def app_client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


def make_connection(runtime, name="acme-eu", **settings):
    base = {"shop_domain": SHOP, "client_secret": SECRET}
    return runtime.add_connection("shopify", name, {**base, **settings})


@pytest.fixture
def connection(runtime):
    """A webhook-only connection (no access token: nothing is fetched)."""
    return make_connection(runtime)


@pytest.fixture
def api_connection(runtime):
    """A connection with an Admin API token."""
    return make_connection(runtime, "acme-api", access_token=TOKEN)


_ids = itertools.count(1)


def post(
    client,
    connection,
    topic,
    payload,
    *,
    webhook_id=None,
    secret=SECRET,
    shop=SHOP,
    triggered_at="2026-03-01T10:00:00.000000Z",
):
    request = signed_request(
        payload,
        secret=secret,
        shop=shop,
        topic=topic,
        webhook_id=webhook_id or f"wh-{next(_ids)}",
        triggered_at=triggered_at,
    )
    return client.post(
        f"/webhooks/shopify/{connection['id']}", data=request.body, headers=dict(request.headers)
    )


def deliver(client, runtime, connection, topic, payload, **options):
    """Post a signed delivery, expect 200, and process it."""
    response = post(client, connection, topic, payload, **options)
    assert response.status_code == 200, response.get_json()
    _processed, failed = drain(runtime)
    assert failed == 0
    return response


def load_case(runtime, external_id, object_type=None):
    with runtime.database.session() as session:
        query = select(CaseRow).where(CaseRow.external_id == str(external_id))
        if object_type:
            query = query.where(CaseRow.object_type == object_type)
        row = session.scalar(query)
        return runtime.fill_allowed_actions(cases.load(session, row)) if row else None


def graphql_router(api, handlers):
    """Answer GraphQL calls by operation name: ``handlers[name]`` is a list of answers
    (dicts, or ``(status, body)`` pairs) used in turn; the sent bodies are collected."""
    sent = []

    def answer(request):
        body = json.loads(request.body)
        name = re.match(r"\s*(?:query|mutation)\s+(\w+)", body["query"]).group(1)
        sent.append((name, body))
        queue = handlers[name]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        status, payload = reply if isinstance(reply, tuple) else (200, reply)
        return status, {"Content-Type": "application/json"}, json.dumps(payload)

    api.add_callback(responses.POST, GRAPHQL, callback=answer)
    return sent
