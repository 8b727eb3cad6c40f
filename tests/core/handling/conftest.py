"""Fixtures for case handling: connections with a store policy, returns from a buyer in a
given country, rules set from TOML text, and ingest through the runtime's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputeflow import CaseSnapshot, Message, Money, Order, Party
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import cases
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0


@pytest.fixture
def make_connection(runtime):
    """``make_connection(name, **settings)`` -> the id of a fake connection."""

    def make(name="shop", **settings):
        base = {"signing_secret": "s", "shop": name}
        return runtime.add_connection("fake", name, {**base, **settings})["id"]

    return make


@pytest.fixture
def connection_id(make_connection):
    """A connection whose store policy is 7 days."""
    return make_connection("eu-shop", return_window_days=7)


@pytest.fixture
def use_rules(runtime):
    """``use_rules(text)``: the runtime follows these rules from now on."""

    def use(text):
        runtime.rules = parse_rules(text, source="test.toml")
        return runtime.rules

    return use


def ingest(runtime, connection_id, snap):
    """Ingest as the worker does (with the runtime's rules); the stored case."""
    result = ingest_snapshot(
        runtime.database, runtime.plugins, connection_id, snap, rules=runtime.rules
    )
    return load(runtime, result.case.id)


def load(runtime, case_id):
    with runtime.database.session() as session:
        return runtime.fill_allowed_actions(cases.get(session, case_id))


def a_return(
    external_id="r1",
    *,
    country="DE",
    days_after_order=3,
    amount="40.00",
    currency="EUR",
    email="buyer@example.org",
    words=None,
    hours=0,
    **fields,
):
    """A return request from a buyer in ``country``, ``days_after_order`` after the order."""
    opened = T0 + timedelta(hours=hours)
    values = {
        "platform": "fake",
        "object_type": "return",
        "external_id": external_id,
        "kind": "return",
        "observed_at": opened,
        "opened_at": T0,
        "status": "needs_response",
        "category": "changed_mind",
        "platform_reason": "changed_mind",
        "amount": Money(amount, currency),
        "buyer": Party(name="Buyer", email=email, country=country),
        "order": Order(
            external_id=f"o-{external_id}", placed_at=T0 - timedelta(days=days_after_order)
        ),
        "messages": (
            (Message(f"m-{external_id}", "buyer", words, T0),) if words is not None else ()
        ),
    }
    values.update(fields)
    return CaseSnapshot(**values)
