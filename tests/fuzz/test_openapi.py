"""Schemathesis against ``/api/openapi.json`` with an admin token: every operation, with
generated valid and invalid input, never answers a 5xx, and every answer matches what the
document promises (status codes, content types, headers, body schemas).

The store holds a connection, cases, deliveries and actions first, so that listing and
paging return real items. ``DISPUTEFLOW_FUZZ_EXAMPLES`` raises the examples per operation
(default 25, kept small for CI).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from disputeflow import Money
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.taxonomy import ActionType, Role
from disputeflow.engine.config import Settings
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import tokens
from disputeflow.webhooks.app import create_app
from tests.webhooks.conftest import dispute, drain, signed

EXAMPLES = int(os.environ.get("DISPUTEFLOW_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def database_url(tmp_path):
    """The API is database-neutral; SQLite keeps the many generated calls fast."""
    return f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"


@pytest.fixture
def fuzz_token(runtime):
    """The admin token the fuzzing runs with (and a second admin, so that revoking admin
    tokens other than this one is not refused as revoking the last)."""
    with runtime.database.session() as session:
        tokens.create(session, name="second admin", role=Role.ADMIN)
        tokens.create(session, name="an agent", role=Role.AGENT)
        return tokens.create(session, name="fuzz", role=Role.ADMIN)


@pytest.fixture
def admin(fuzz_token):
    return {"Authorization": f"Bearer {fuzz_token.token}"}


@pytest.fixture
def fuzz_app(runtime, admin):
    app = create_app(runtime, {"TESTING": True})
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "whsec-test",
                                                       "shop": "eu-shop"})  # fmt: skip
    client = app.test_client()
    for n, (kind, status) in enumerate([("dispute", "needs_response"), ("return", "requested"),
                                        ("dispute", "won"), ("return", "requested")]):  # fmt: skip
        body, headers = signed(dispute(f"x{n}", status=status, type=kind, buyer_country="DE"))
        client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    body, headers = signed(None, body=b"{broken")
    client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    drain(runtime)
    response = client.get("/api/v1/cases?kind=return", headers=admin)
    return_case = response.get_json()["items"][0]["id"]
    request_action(runtime, return_case, ActionInput(ActionType.REFUND,
                                                     amount=Money("5.00", "EUR")))  # fmt: skip
    return app


def _operation_labels():
    """``GET /api/v1/cases`` ... of the real document, at collection time."""
    with tempfile.TemporaryDirectory() as home:
        settings_ = Settings(home=Path(home), database_url="sqlite://", public_url="http://x",
                             secret_key=None)  # fmt: skip
        runtime = Runtime.create(settings_, plugins=get_plugin_manager(load_entrypoints=False))
        try:
            spec = create_app(runtime).test_client().get("/api/openapi.json").get_json()
        finally:
            runtime.close()
    methods = {"get", "post", "put", "patch", "delete"}
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in methods
    ]


# Schemathesis' own pytest plugin does not run on this pytest; its strategies are used
# directly, one generated test per documented operation and mode.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", _operation_labels())
def test_the_api_keeps_its_documented_promises(fuzz_app, admin, fuzz_token, label, mode):
    schema_ = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    operation = schema_.find_operation_by_label(label)
    assert operation is not None, label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)  # fmt: skip
    def call(case):
        # Revoking the fuzzing token itself would only test the 401s again: that one token
        # is swapped for an unknown id; every other revocation runs as generated.
        params = case.path_parameters or {}
        if case.method == "DELETE" and params.get("token_id") == fuzz_token.id:
            case.path_parameters = {**params, "token_id": "tok_unknown"}
        case.call_and_validate(headers=admin, checks=CHECKS)

    call()
