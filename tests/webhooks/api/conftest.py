"""Fixtures for the JSON API: tokens of each role, and cases put in through the core."""

from __future__ import annotations

import pytest

from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_token(runtime):
    """``make_token(role, name=None)`` -> the secret of a new token."""

    def make(role, name=None):
        with runtime.database.session() as session:
            return tokens.create(session, name=name or f"{role}-bot", role=Role(role)).token

    return make


@pytest.fixture
def viewer(make_token):
    return bearer(make_token("viewer"))


@pytest.fixture
def agent(make_token):
    return bearer(make_token("agent"))


@pytest.fixture
def admin(make_token):
    return bearer(make_token("admin"))


@pytest.fixture
def add_case(runtime, connection):
    """``add_case(snapshot, connection_id=None)`` -> the id of the case it made or updated."""

    def add(snapshot, connection_id=None):
        connection_id = connection_id or connection["id"]
        return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot).case.id

    return add
