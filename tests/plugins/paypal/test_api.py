"""PayPal's answers to the plugin's calls: the token, 401, 404, 422, 429 and 5xx, each the
error the outbox and the worker expect (see docs/writing-a-plugin.md, "Errors")."""

from __future__ import annotations

import base64

import pytest

from disputeflow import MarketplaceError, ReauthorizationRequired
from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal.api import PaypalApi
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from tests.plugins.paypal.conftest import API, CLIENT_ID, TOKEN_ANSWER, fixture, paypal_settings

DISPUTE = f"{API}/v1/customer/disputes/PP-R-AYP-10135034"


@pytest.fixture
def paypal(clock):
    connection = make_connection(PaypalMarketplace(), paypal_settings())
    return PaypalApi(connection, sleep=clock.append)


def test_the_token_is_asked_with_client_credentials_and_kept(paypal, api):
    token = api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(DISPUTE, json=fixture("dispute_details_response.json"))
    for _ in range(2):
        assert paypal.get("/v1/customer/disputes/PP-R-AYP-10135034")["dispute_id"]
    assert len(token.calls) == 1
    sent = token.calls[0].request
    assert sent.body == "grant_type=client_credentials"
    assert sent.headers["Authorization"].startswith("Basic ")
    user = base64.b64decode(sent.headers["Authorization"][6:]).decode()
    assert user.startswith(f"{CLIENT_ID}:")
    call = api.calls[1].request
    assert call.headers["Authorization"] == "Bearer A21AA-test-access-token"


def test_refused_credentials_need_the_merchant(paypal, api):
    api.post(f"{API}/v1/oauth2/token", status=401, json=fixture("error_oauth_invalid_client.json"))
    with pytest.raises(ReauthorizationRequired) as raised:
        paypal.get("/v1/customer/disputes")
    assert "Client Authentication failed" in raised.value.message
    assert "EKtest" not in raised.value.message  # the secret never shows


def test_a_401_renews_the_token_once(paypal, api):
    token = api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(DISPUTE, status=401, json={"name": "AUTHENTICATION_FAILURE"})
    api.get(DISPUTE, json=fixture("dispute_details_response.json"))
    assert paypal.get("/v1/customer/disputes/PP-R-AYP-10135034")["status"]
    assert len(token.calls) == 2


def test_a_second_401_is_reauthorization(paypal, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(DISPUTE, status=401, json={"name": "AUTHENTICATION_FAILURE"})
    with pytest.raises(ReauthorizationRequired):
        paypal.get("/v1/customer/disputes/PP-R-AYP-10135034")


def test_404_is_final_with_paypals_words(paypal, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(DISPUTE, status=404, json=fixture("error_404_resource_not_found.json"))
    with pytest.raises(MarketplaceError) as raised:
        paypal.get("/v1/customer/disputes/PP-R-AYP-10135034")
    assert (raised.value.transient, raised.value.platform_status) == (False, 404)
    assert "RESOURCE_NOT_FOUND" in raised.value.message
    assert "INVALID_RESOURCE_ID" in raised.value.message


def test_422_is_final_and_names_the_issue(paypal, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.post(
        f"{DISPUTE}/accept-claim",
        status=422,
        json=fixture("error_422_amount_should_not_be_passed.json"),
    )
    with pytest.raises(MarketplaceError) as raised:
        paypal.post("/v1/customer/disputes/PP-R-AYP-10135034/accept-claim", {"note": "x"})
    assert (raised.value.transient, raised.value.platform_status) == (False, 422)
    assert "AMOUNT_SHOULD_NOT_BE_PASSED" in raised.value.message


def test_429_is_retried_then_transient_with_retry_after(paypal, api, clock):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    limited = api.get(
        DISPUTE, status=429, json=fixture("error_429_rate_limit.json"), headers={"Retry-After": "7"}
    )
    with pytest.raises(MarketplaceError) as raised:
        paypal.get("/v1/customer/disputes/PP-R-AYP-10135034")
    assert raised.value.transient
    assert (raised.value.platform_status, raised.value.retry_after) == (429, 7.0)
    assert len(limited.calls) == 3
    assert clock == [7.0, 7.0]


def test_a_5xx_read_is_retried_and_then_succeeds(paypal, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(DISPUTE, status=503)
    api.get(DISPUTE, json=fixture("dispute_details_response.json"))
    assert paypal.get("/v1/customer/disputes/PP-R-AYP-10135034")["dispute_id"]


def test_a_5xx_write_is_not_repeated_within_the_call(paypal, api):
    """A write that failed may have been carried out: the outbox retries it later, after the
    action reads the dispute again."""
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    failing = api.post(f"{DISPUTE}/escalate", status=500, json={"name": "INTERNAL_SERVER_ERROR"})
    with pytest.raises(MarketplaceError) as raised:
        paypal.post(
            "/v1/customer/disputes/PP-R-AYP-10135034/escalate", {"note": "x"}, request_id="idem-1"
        )
    assert raised.value.transient
    assert raised.value.platform_status == 500
    assert len(failing.calls) == 1
    assert failing.calls[0].request.headers["PayPal-Request-Id"] == "idem-1"
