"""Fixtures for the transparency tests: a fake connection and cases opened just now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputeflow import Money, Order, Party
from disputeflow.core.clock import utcnow
from disputeflow.engine.ingest import ingest_snapshot
from tests.builders import snapshot


@pytest.fixture
def connection(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})


def a_return(external_id="r1", *, hours_ago=0.0, **fields):
    """A return requested ``hours_ago`` (steps older than three days are never notified)."""
    at = utcnow() - timedelta(hours=hours_ago)
    values = {
        "kind": "return",
        "object_type": "return",
        "category": "damaged",
        "observed_at": at,
        "opened_at": at,
        "amount": Money("40.00", "EUR"),
        "order": Order(external_id=f"o-{external_id}", name=f"#{external_id}"),
        "buyer": Party(name="Ada", email="ada@example.org", country="DE", locale="de-DE"),
    }
    values.update(fields)
    return snapshot(external_id, **values)


@pytest.fixture
def add(runtime, connection):
    """``add(snapshot)`` -> the merge result."""

    def _add(found):
        return ingest_snapshot(runtime.database, runtime.plugins, connection["id"], found)

    return _add
