"""Fixtures for the workspace: tokens per role, a signed-in test client, and cases."""

from __future__ import annotations

import re

import pytest

from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The form token a page carries."""
    found = CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


@pytest.fixture
def make_token(runtime):
    """``make_token(role, name=None)`` -> the secret of a new token."""

    def make(role, name=None):
        with runtime.database.session() as session:
            return tokens.create(session, name=name or f"{role}-person", role=Role(role)).token

    return make


def sign_in(client, token):
    """Sign ``client`` in with ``token`` through the form; the response."""
    page = client.get("/workspace/sign-in")
    return client.post(
        "/workspace/sign-in", data={"token": token, "csrf_token": csrf_of(page.text)}
    )


@pytest.fixture
def as_role(app, make_token):
    """``as_role(role)`` -> a test client signed in with a new token of that role."""

    def make(role):
        client = app.test_client()
        response = sign_in(client, make_token(role))
        assert response.status_code == 302, response.text
        return client

    return make


@pytest.fixture
def add_case(runtime, connection):
    """``add_case(snapshot)`` -> the id of the case it made or updated."""

    def add(snapshot, connection_id=None):
        connection_id = connection_id or connection["id"]
        return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot).case.id

    return add
