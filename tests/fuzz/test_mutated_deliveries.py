"""Hypothesis mutates each marketplace's documented deliveries (its plugin's
``sample_deliveries``), re-signs them as the platform would, and posts them through the
intake: keys dropped, values replaced by other JSON of any type, strings and numbers at
their edges, topics changed. The intake answers a clear error (4xx, in the common error
shape) or a 2xx; never a 5xx. Every acknowledged delivery is stored and ends done, or
failed/dead with its error; none goes missing; every case made is a valid case.

No mutated delivery reaches the network: any platform API call a plugin attempts meets a
``responses`` mock that answers nothing (a clear failure of that delivery).
``DISPUTEFLOW_FUZZ_EXAMPLES`` raises the examples per marketplace (default 40).
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from disputeflow.core.taxonomy import Role
from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.engine.store import connections, tokens
from disputeflow.engine.store.tables import CaseRow, DeliveryRow
from disputeflow.plugins.ebay.signatures import SAMPLE_KID, sample_private_key
from disputeflow.plugins.ebay.signatures import sign as ebay_sign
from disputeflow.plugins.shopify.webhooks import sign as shopify_sign
from disputeflow.plugins.woocommerce.webhooks import sign as woo_sign
from disputeflow.webhooks.api.schemas import CaseSchema
from disputeflow.webhooks.app import create_app

EXAMPLES = int(os.environ.get("DISPUTEFLOW_FUZZ_EXAMPLES", "40"))
MARKETPLACES = ("shopify", "woocommerce", "ebay")
ONCE = RetryPolicy(max_attempts=1, backoff_seconds=(0,))
_ids = itertools.count(1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=3),
    max_leaves=6,
)  # fmt: skip
edges = st.sampled_from([
    "", " ", "0", "-1", "1e309", "NaN", "9" * 40, "2026-02-30T25:61:00Z", "not-a-date",
    "\u0000", "\u202e\u00e9\u4e2d", "<x>&amp;</x>", 0, -1, 10**30, -(10**30), 0.1, 1e308, [], {},
])  # fmt: skip


@pytest.fixture
def database_url(tmp_path):
    """The intake and the plugins are database-neutral; SQLite keeps the examples fast."""
    return f"sqlite:///{tmp_path / 'mutations.sqlite3'}"


@pytest.fixture
def fake_plugins(plugin_manager):
    """The built-in marketplaces, registered as their entry points do, and nothing else."""
    from disputeflow.plugins.ebay import plugin as ebay
    from disputeflow.plugins.shopify import plugin as shopify
    from disputeflow.plugins.woocommerce import plugin as woocommerce

    for name, module in (("shopify", shopify), ("woocommerce", woocommerce), ("ebay", ebay)):
        plugin_manager.register(module, name=name)
    return plugin_manager


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (the root excluded)."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()  # fmt: skip
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _mutate(document: Any, data: st.DataObject) -> Any:
    paths = _paths(document)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        if not paths:
            return data.draw(json_values, label="whole body")
        path = data.draw(st.sampled_from(paths), label="path")
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        how = data.draw(st.sampled_from(["drop", "replace", "edge", "add"]), label="how")
        if how == "drop":
            del parent[key]
        elif how == "add" and isinstance(parent, dict):
            parent[data.draw(st.text(max_size=12), label="new key")] = data.draw(json_values)
        else:
            parent[key] = data.draw(edges if how == "edge" else json_values, label="value")
        paths = _paths(document)
    return document


def _resign(platform: str, connection: Any, headers: dict[str, str], body: bytes) -> None:
    settings_ = connection.settings
    unique = f"fuzz-{next(_ids)}"
    if platform == "shopify":
        headers["X-Shopify-Hmac-Sha256"] = shopify_sign(body, settings_["client_secret"])
        headers["X-Shopify-Webhook-Id"] = unique
    elif platform == "woocommerce":
        headers["X-WC-Webhook-Signature"] = woo_sign(body, settings_["webhook_secret"])
        headers["X-WC-Webhook-Delivery-ID"] = unique
    else:
        key = sample_private_key(settings_["client_id"], settings_["client_secret"])
        headers["X-EBAY-SIGNATURE"] = ebay_sign(body, key, SAMPLE_KID)


def _with_new_notification_id(document: Any) -> Any:
    """eBay deduplicates by notificationId: give each example its own (when it has one)."""
    note = document.get("notification") if isinstance(document, dict) else None
    if isinstance(note, dict) and "notificationId" in note:
        note["notificationId"] = f"fuzz-{next(_ids)}"
    return document


def _stored(runtime) -> int:
    with runtime.database.session(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(DeliveryRow)) or 0)


@pytest.mark.parametrize("platform", MARKETPLACES)
def test_mutated_deliveries_get_clear_answers_and_none_is_lost(runtime, platform):
    marketplace = runtime.plugins.marketplace(platform)
    described = runtime.add_connection(platform, f"fuzz-{platform}", marketplace.example_settings())
    with runtime.database.session() as session:
        connection = runtime.connection(connections.get_row(session, described["id"]))
    samples = marketplace.sample_deliveries(connection)
    topics = sorted({s.request.header("X-Shopify-Topic") or s.request.header("X-WC-Webhook-Topic")
                     or "" for s in samples} - {""})  # fmt: skip
    client = create_app(runtime, {"TESTING": True}).test_client()
    url = f"/webhooks/{platform}/{connection.id}"
    answers: list[int] = []

    @given(data=st.data())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def post_mutated(data):
        sample = data.draw(st.sampled_from(samples), label="sample")
        headers = dict(sample.request.headers)
        document = _with_new_notification_id(json.loads(sample.request.body))
        body = json.dumps(_mutate(document, data), separators=(",", ":")).encode()
        _resign(platform, connection, headers, body)
        for name in ("X-Shopify-Topic", "X-WC-Webhook-Topic"):
            if name in headers and topics and data.draw(st.booleans(), label="new topic"):
                headers[name] = data.draw(st.sampled_from([*topics, "orders/paid", "x"]))
        before = _stored(runtime)
        response = client.post(url, data=body, headers=headers)
        answers.append(response.status_code)
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            assert set(response.get_json()) == {"code", "status", "message", "errors"}
            assert _stored(runtime) == before  # refused: nothing stored
            return
        assert _stored(runtime) in (before, before + 1)  # a duplicate stores nothing
        with responses.RequestsMock(assert_all_requests_are_fired=False):
            process_deliveries(runtime, limit=5, policy=ONCE)

    post_mutated()

    assert any(200 <= code < 300 for code in answers)
    with runtime.database.session(readonly=True) as session:
        rows = session.scalars(select(DeliveryRow)).all()
        for row in rows:  # every acknowledged delivery ended somewhere, visibly
            assert row.status in ("done", "dead"), (row.status, row.last_error)
            assert (row.status == "dead") == bool(row.last_error), row.last_error
        case_ids = list(session.scalars(select(CaseRow.id)))
    _assert_valid_cases(runtime, client, case_ids)


def _assert_valid_cases(runtime, client, case_ids):
    """Every case the mutations made is shown by the API, matching its documented schema."""
    with runtime.database.session() as session:
        token = tokens.create(session, name="fuzz", role=Role.VIEWER).token
    headers = {"Authorization": f"Bearer {token}"}
    schema = CaseSchema()
    for case_id in case_ids:
        response = client.get(f"/api/v1/cases/{case_id}", headers=headers)
        assert response.status_code == 200, response.get_json()
        assert schema.validate(response.get_json()) == {}
