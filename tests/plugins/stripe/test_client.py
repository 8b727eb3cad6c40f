"""The Stripe API client against a mocked API: hosts, headers, and every kind of refusal.

Error bodies: stripe-python ``tests/test_api_requestor.py`` (6c6e373) answers 401, 403, 404,
429 and 500 with ``{"error": {}}`` and the old rate limit as a 400 with
``{"error": {"code": "rate_limit"}}``; the error object's fields (``type``, ``code``,
``message``) and the status table are https://docs.stripe.com/api/errors (checked
2026-12-04). 422 is not in Stripe's table: whatever answers it (a proxy) is a final refusal.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import responses

from disputeflow import (
    ActionRequest,
    ActionType,
    MarketplaceError,
    ReauthorizationRequired,
)
from disputeflow.core.testing import make_connection, minimal_case
from disputeflow.plugins.stripe.client import API_VERSION
from tests.plugins.stripe.conftest import API, KEY, dispute, settings

DISPUTE_ID = "dp_1Pgc71B7WZ01zgkWMevJiAUx"
READ = f"{API}/v1/disputes/{DISPUTE_ID}"


def accept(stripe, connection):
    case = replace(minimal_case("stripe", "chargeback"), object_type="dispute",
                   external_id=DISPUTE_ID)  # fmt: skip
    action = ActionRequest(ActionType.ACCEPT, case.id, "idem-1")
    return stripe.perform_action(connection, case, action)


def failure(stripe, connection, api, status, body, headers=None):
    api.get(READ, status=status, json=body, headers=headers or {})
    with pytest.raises(MarketplaceError) as raised:
        accept(stripe, connection)
    return raised.value


def test_the_key_goes_as_a_bearer_token_with_the_pinned_version(stripe, connection, api):
    api.get(READ, json={"id": DISPUTE_ID, "object": "dispute", "status": "won"})
    with pytest.raises(MarketplaceError, match="is won on Stripe"):
        accept(stripe, connection)
    sent = api.calls[0].request
    assert sent.url == f"{READ}?expand%5B%5D=charge"
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.headers["Stripe-Version"] == API_VERSION


def test_api_base_url_replaces_stripes_host(stripe, api):
    proxied = make_connection(stripe, settings(api_base_url="http://127.0.0.1:12111"))
    lost = dispute(status="lost")
    api.get(f"http://127.0.0.1:12111/v1/disputes/{DISPUTE_ID}", json=lost)
    result = accept(stripe, proxied)  # already lost: nothing is sent
    assert result.data == {"recovered": True}
    assert result.snapshot.outcome == "buyer_favor"


def test_401_needs_a_new_key(stripe, connection, api):
    error = failure(stripe, connection, api, 401, {"error": {}})
    assert isinstance(error, ReauthorizationRequired)
    assert not error.transient
    assert error.platform_status == 401
    assert "api_key" in error.message


def test_403_names_the_missing_permission_and_is_final(stripe, connection, api):
    error = failure(stripe, connection, api, 403, {"error": {}})
    assert not isinstance(error, ReauthorizationRequired)
    assert (error.transient, error.platform_status) == (False, 403)
    assert "permission" in error.message


def test_404_is_final_in_stripes_words(stripe, connection, api):
    body = {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such dispute: '{DISPUTE_ID}'",
            "param": "dispute",
        }
    }
    error = failure(stripe, connection, api, 404, body)
    assert (error.transient, error.platform_status) == (False, 404)
    assert "resource_missing" in error.message
    assert f"No such dispute: '{DISPUTE_ID}'" in error.message


def test_422_is_final(stripe, connection, api):
    error = failure(stripe, connection, api, 422, {"error": {}})
    assert (error.transient, error.platform_status) == (False, 422)


def test_409_is_retried_unless_stripe_says_not_to(stripe, connection, api):
    assert failure(stripe, connection, api, 409, {"error": {}}).transient
    api.replace(responses.GET, READ, status=409, json={"error": {}},
                headers={"Stripe-Should-Retry": "false"})  # fmt: skip
    with pytest.raises(MarketplaceError) as raised:
        accept(stripe, connection)
    assert not raised.value.transient


def test_the_old_rate_limit_400_is_transient(stripe, connection, api):
    error = failure(stripe, connection, api, 400, {"error": {"code": "rate_limit"}})
    assert error.transient


def test_an_idempotency_error_is_final(stripe, connection, api):
    error = failure(stripe, connection, api, 400, {"error": {"type": "idempotency_error"}})
    assert not error.transient
    assert "idempotency_error" in error.message


def test_429_with_a_long_retry_after_is_handed_to_the_outbox(stripe, connection, api):
    error = failure(stripe, connection, api, 429, {"error": {}}, {"Retry-After": "30"})
    assert (error.transient, error.retry_after, error.platform_status) == (True, 30, 429)
    assert len(api.calls) == 1  # longer than a worker waits: the outbox retries later
    assert stripe.waits == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_then_transient(stripe, connection, api, status):
    error = failure(stripe, connection, api, status, {"error": {}})
    assert (error.transient, error.platform_status) == (True, status)
    assert len(api.calls) == 3  # the first try and two retries, with backoff
    assert len(stripe.waits) == 2


def test_the_key_never_shows_in_an_error(stripe, connection, api):
    body = {"error": {"type": "invalid_request_error", "message": f"Invalid API Key: {KEY}"}}
    error = failure(stripe, connection, api, 400, body)
    assert KEY not in error.message
    assert KEY[-4:] in error.message  # Stripe shows the last four too


def test_an_answer_that_is_not_json_is_transient(stripe, connection, api):
    api.get(READ, body="<html>maintenance</html>", status=200)
    with pytest.raises(MarketplaceError) as raised:
        accept(stripe, connection)
    assert raised.value.transient
    assert json.dumps(raised.value.message)
