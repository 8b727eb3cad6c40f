"""Accept, contest and refund against a mocked Stripe API.

Answers are stripe/openapi's fixtures (fixtures/README.md) with the fields each step changes;
the calls are https://docs.stripe.com/api/disputes/close, /api/disputes/update,
/api/files/create, /api/refunds/create and /api/refunds/list (checked 2026-12-04).
"""

from __future__ import annotations

import base64
from dataclasses import replace
from urllib.parse import parse_qsl

import pytest

from disputeflow import ActionRequest, ActionType, Evidence, MarketplaceError, Money
from disputeflow.core.testing import minimal_case
from disputeflow.plugins.stripe import plugin
from disputeflow.plugins.stripe.actions import META_KEY
from tests.plugins.stripe.conftest import (
    API,
    FILES,
    NOW,
    WOO_METADATA,
    charge,
    dispute,
    fixture,
    listing,
)

DISPUTE_ID = "dp_1Pgc71B7WZ01zgkWMevJiAUx"
CHARGE_ID = "ch_1PgafuB7WZ01zgkWXYmPNZs8"
READ = f"{API}/v1/disputes/{DISPUTE_ID}"
REFUNDS = f"{API}/v1/refunds"


def case_of(kind="chargeback", object_type="dispute", external_id=DISPUTE_ID, **changes):
    base = minimal_case("stripe", kind, connection_id="con_test")
    return replace(base, object_type=object_type, external_id=external_id, **changes)


def act(stripe, connection, case, kind, key="idem-1", **options):
    action = ActionRequest(ActionType(kind), case.id, key, **options)
    return stripe.perform_action(connection, case, action)


def form(call):
    return dict(parse_qsl(call.request.body if isinstance(call.request.body, str)
                          else call.request.body.decode()))  # fmt: skip


def chargeback(**changes):
    return dispute(**{"status": "needs_response", "reason": "fraudulent",
                      "charge": charge(metadata=WOO_METADATA), **changes})  # fmt: skip


# -- accept -------------------------------------------------------------------------------


def test_accepting_a_chargeback_closes_it_once(stripe, connection, api):
    api.get(READ, json=chargeback())
    api.post(f"{READ}/close", json=chargeback(status="lost"))
    result = act(stripe, connection, case_of(), "accept")
    sent = api.calls[1].request
    assert sent.headers["Idempotency-Key"] == "idem-1:close"
    assert form(api.calls[1]) == {"expand[]": "charge"}
    assert result.data == {"recovered": False}
    snapshot = result.snapshot
    assert (snapshot.status, snapshot.outcome) == ("resolved", "buyer_favor")
    assert snapshot.observed_at == NOW  # read now: Stripe's object states no newer time
    assert snapshot.order.external_id == "727"  # WooCommerce Stripe Gateway's order_id


def test_a_chargeback_already_lost_is_the_earlier_attempts_result(stripe, connection, api):
    api.get(READ, json=chargeback(status="lost"))
    result = act(stripe, connection, case_of(), "accept")
    assert result.data == {"recovered": True}
    assert len(api.calls) == 1


def test_a_won_chargeback_cannot_be_accepted(stripe, connection, api):
    api.get(READ, json=chargeback(status="won"))
    with pytest.raises(MarketplaceError, match="won on Stripe: nothing to accept"):
        act(stripe, connection, case_of(), "accept")


# -- contest ------------------------------------------------------------------------------


def test_contesting_uploads_files_then_submits_the_evidence(stripe, connection, api):
    api.get(READ, json=chargeback())
    api.post(f"{FILES}/v1/files", json=fixture("fixtures3_file.json"))
    submitted = chargeback(status="under_review")
    submitted["evidence_details"]["submission_count"] = 1
    api.post(READ, json=submitted)
    label = Evidence("e1", "merchant", "shipping_tracking_number", NOW, "1Z999AA10123456784")
    photo = {"document_type": "shipping_documentation", "filename": "label.png",
             "mimetype": "image/png", "data": base64.b64encode(b"\x89PNG...").decode()}  # fmt: skip
    result = act(stripe, connection, case_of(), "contest", key="k7", message="Delivered.",
                 evidence=(label,), params={"files": [photo]})  # fmt: skip
    upload, update = api.calls[1].request, api.calls[2]
    assert upload.headers["Idempotency-Key"] == "k7:file:shipping_documentation"
    assert b'name="purpose"\r\n\r\ndispute_evidence' in upload.body
    assert b'filename="label.png"' in upload.body
    assert update.request.headers["Idempotency-Key"] == "k7:evidence"
    assert form(update) == {
        "evidence[shipping_documentation]": "file_1Pgag2B7WZ01zgkWITx3dIQc",
        "evidence[shipping_tracking_number]": "1Z999AA10123456784",
        "evidence[uncategorized_text]": "Delivered.",
        "submit": "true",
        f"metadata[{META_KEY}]": "k7",
        "expand[]": "charge",
    }
    assert result.snapshot.status == "under_review"
    assert result.message == f"dispute {DISPUTE_ID} contested"


def test_evidence_can_be_staged_as_a_draft(stripe, connection, api):
    api.get(READ, json=chargeback())
    api.post(READ, json=chargeback())
    act(stripe, connection, case_of(), "contest", message="Draft", params={"submit": False})
    assert form(api.calls[1])["submit"] == "false"


def test_a_contest_already_sent_by_this_action_is_not_sent_again(stripe, connection, api):
    done = chargeback(status="under_review", metadata={META_KEY: "idem-1"})
    api.get(READ, json=done)
    result = act(stripe, connection, case_of(), "contest", message="Delivered.")
    assert result.data == {"recovered": True}
    assert len(api.calls) == 1


def test_evidence_submitted_elsewhere_is_not_submitted_twice(stripe, connection, api):
    elsewhere = chargeback()
    elsewhere["evidence_details"]["submission_count"] = 1
    api.get(READ, json=elsewhere)
    with pytest.raises(MarketplaceError, match="already submitted"):
        act(stripe, connection, case_of(), "contest", message="Delivered.")


def test_a_contest_without_evidence_sends_nothing(stripe, connection, api):
    api.get(READ, json=chargeback())
    with pytest.raises(MarketplaceError, match="needs evidence"):
        act(stripe, connection, case_of(), "contest")
    assert len(api.calls) == 1


# -- inquiries and early fraud warnings: refunds ---------------------------------------------


def inquiry(**changes):
    return dispute(**{"charge": CHARGE_ID, **changes})  # warning_needs_response, as published


def test_accepting_an_inquiry_refunds_the_payment_in_full(stripe, connection, api):
    api.get(READ, json=inquiry())
    api.get(REFUNDS, json=listing("/v1/refunds", []))
    api.post(REFUNDS, json=fixture("fixtures3_refund.json"))
    result = act(stripe, connection, case_of("inquiry"), "accept")
    assert api.calls[1].request.url == f"{REFUNDS}?charge={CHARGE_ID}&limit=100"
    assert api.calls[2].request.headers["Idempotency-Key"] == "idem-1:refund"
    assert form(api.calls[2]) == {"charge": CHARGE_ID, f"metadata[{META_KEY}]": "idem-1"}
    assert result.external_id == "re_1Pgc72B7WZ01zgkWqPvrRrPE"
    assert result.refunded == Money("1.00", "USD")  # the fixture refund: 100 cents


@pytest.mark.parametrize(
    ("currency", "amount", "minor"),
    [("jpy", Money("500", "JPY"), "500"), ("usd", Money("4.50", "USD"), "450"),
     ("isk", Money("100", "ISK"), "10000"), ("kwd", Money("1.230", "KWD"), "1230")],
)  # fmt: skip
def test_a_partial_refund_is_sent_in_stripes_minor_units(
    stripe, connection, api, currency, amount, minor
):
    api.get(READ, json=inquiry(charge=charge(currency=currency), currency=currency))
    api.get(REFUNDS, json=listing("/v1/refunds", []))
    refund = {**fixture("fixtures3_refund.json"), "amount": int(minor), "currency": currency}
    api.post(REFUNDS, json=refund)
    result = act(stripe, connection, case_of("inquiry"), "refund", amount=amount)
    assert form(api.calls[2])["amount"] == minor
    assert result.refunded == amount


def test_a_refund_in_another_currency_is_refused_before_any_write(stripe, connection, api):
    api.get(READ, json=inquiry(charge=charge()))
    api.get(REFUNDS, json=listing("/v1/refunds", []))
    with pytest.raises(MarketplaceError, match="in USD, not EUR"):
        act(stripe, connection, case_of("inquiry"), "refund", amount=Money("1.00", "EUR"))


def test_a_refund_this_action_already_made_is_not_made_again(stripe, connection, api):
    mine = {**fixture("fixtures3_refund.json"), "metadata": {META_KEY: "idem-1"}}
    other = {**fixture("fixtures3_refund.json"), "id": "re_other"}
    api.get(READ, json=inquiry())
    api.get(REFUNDS, json=listing("/v1/refunds", [other, mine]))
    result = act(stripe, connection, case_of("inquiry"), "accept")
    assert (result.external_id, result.data["recovered"]) == ("re_1Pgc72B7WZ01zgkWqPvrRrPE", True)
    assert len(api.calls) == 2


def test_a_failed_refund_fails_the_action(stripe, connection, api):
    api.get(READ, json=inquiry())
    api.get(REFUNDS, json=listing("/v1/refunds", []))
    failed = {**fixture("fixtures3_refund.json"), "status": "failed",
              "failure_reason": "expired_or_canceled_card"}  # fmt: skip
    api.post(REFUNDS, json=failed)
    with pytest.raises(MarketplaceError, match="expired_or_canceled_card"):
        act(stripe, connection, case_of("inquiry"), "accept")


def test_an_inquiry_that_became_a_chargeback_is_not_refunded(stripe, connection, api):
    api.get(READ, json=inquiry(status="needs_response"))
    with pytest.raises(MarketplaceError, match="chargeback is not refunded"):
        act(stripe, connection, case_of("inquiry"), "refund", amount=Money("1.00", "USD"))
    assert len(api.calls) == 1


def test_accepting_an_early_fraud_warning_refunds_its_payment(stripe, connection, api):
    warning = fixture("fixtures3_early_fraud_warning.json")
    api.get(f"{API}/v1/radar/early_fraud_warnings/{warning['id']}", json=warning)
    api.get(REFUNDS, json=listing("/v1/refunds", []))
    api.post(REFUNDS, json={**fixture("fixtures3_refund.json"), "charge": "ch_1234"})
    case = case_of("inquiry", object_type="early_fraud_warning", external_id=warning["id"])
    result = act(stripe, connection, case, "accept", params={"reason": "fraudulent"})
    assert form(api.calls[2]) == {"charge": "ch_1234", f"metadata[{META_KEY}]": "idem-1",
                                  "reason": "fraudulent"}  # fmt: skip
    assert result.refunded == Money("1.00", "USD")


def test_an_early_fraud_warning_cannot_be_contested(stripe, connection, api):
    case = case_of("inquiry", object_type="early_fraud_warning", external_id="issfr_1")
    with pytest.raises(MarketplaceError, match="cannot be contested"):
        act(stripe, connection, case, "contest", message="It was me")
    assert not api.calls
    assert "cannot be contested" in plugin.disputeflow_before_action(
        case=replace(case, platform="stripe"),
        action=ActionRequest(ActionType.CONTEST, case.id, "k"),
    )


def test_the_veto_refuses_a_second_contest_and_leaves_the_rest(stripe):
    answered = case_of(platform_status="under_review")
    contest = ActionRequest(ActionType.CONTEST, answered.id, "k")
    assert "already submitted" in plugin.disputeflow_before_action(case=answered, action=contest)
    assert plugin.disputeflow_before_action(case=case_of(platform_status="needs_response"),
                                            action=contest) is None  # fmt: skip
    other = replace(answered, platform="woocommerce")
    assert plugin.disputeflow_before_action(case=other, action=contest) is None


def test_an_undeclared_action_is_unsupported_without_a_call(stripe, connection, api):
    from disputeflow import UnsupportedError

    with pytest.raises(UnsupportedError):
        act(stripe, connection, case_of(), "refund", amount=Money("1.00", "USD"))
    assert not api.calls
