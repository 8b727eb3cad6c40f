"""Notices at every step, through the notice outbox: e-mail to a real SMTP server on
127.0.0.1, exactly once per step and in the buyer's language; the merchant's webhook signed
by the Standard Webhooks scheme and checked with its reference library; retries."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import replace
from datetime import timedelta

import pytest
import standardwebhooks
from sqlalchemy import select

from disputeflow import ActionResult, Deadline, Money, Party
from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import ActionType
from disputeflow.engine.action_runner import record_success
from disputeflow.engine.notice_settings import NoticeSettings
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store.tables import NoticeRow
from disputeflow.features.handling.alerts import raise_approaching
from disputeflow.features.notices.outbox import process_notices
from tests.core.transparency.conftest import a_return
from tests.servers import Mailbox, Receiver, free_port

BUYER, MERCHANT = "ada@example.org", "ops@example.org"


def configure(runtime, **notices):
    base = NoticeSettings(smtp_security="none", mail_from="shop@example.org",
                          merchant_email=MERCHANT)  # fmt: skip
    runtime.settings = replace(runtime.settings, notices=replace(base, **notices))


@pytest.fixture
def mailbox(runtime):
    with Mailbox() as box:
        configure(runtime, smtp_host="127.0.0.1", smtp_port=box.port)
        yield box


def notices(runtime):
    with runtime.database.session() as session:
        return list(session.scalars(select(NoticeRow).order_by(NoticeRow.created_at)))


def decide(runtime, case_id, rationale):
    action, _ = request_action(
        runtime, case_id, ActionInput(ActionType.DECLINE_RETURN, rationale=rationale)
    )
    record_success(runtime, action["id"], ActionResult(external_id="dec-1"), utcnow())


def test_each_step_reaches_both_parties_once_in_their_language(runtime, add, mailbox):
    opened = a_return("r1")
    case_id = add(opened).case.id
    decide(runtime, case_id, "the seal is broken")
    add(replace(opened, observed_at=utcnow(), status="resolved", outcome="merchant_favor"))
    for _ in range(3):  # later rounds find nothing owed
        process_notices(runtime)

    buyer = [m["Subject"] for m in mailbox.to(BUYER)]
    assert buyer == [
        "Fall zur Bestellung #r1 eröffnet",
        "Eine Entscheidung zur Bestellung #r1",
        "Fall zur Bestellung #r1 abgeschlossen",
    ]
    merchant = [m["Subject"] for m in mailbox.to(MERCHANT)]
    assert merchant == [
        "Case opened for order #r1",
        "A decision on order #r1",
        "Case closed for order #r1",
    ]
    decision = mailbox.to(BUYER)[1]
    body = decision.get_content()
    assert decision["Content-Language"] == "de"
    assert "Der Shop hat entschieden: hat die Rückgabe abgelehnt." in body
    assert "Begründung des Shops: the seal is broken" in body
    assert f"http://127.0.0.1:8000/buyer/cases/{case_id}/" in body
    assert "http://127.0.0.1:8000/workspace/cases/" in mailbox.to(MERCHANT)[0].get_content()
    assert {n.status for n in notices(runtime)} == {"sent"}
    assert all(n.channels["email"]["status"] == "sent" for n in notices(runtime))


def test_refunds_and_approaching_deadlines_are_steps(runtime, add, mailbox):
    opened = a_return("r2", buyer=Party(email=BUYER, country="FR", locale="fr"))
    case_id = add(opened).case.id
    add(replace(opened, observed_at=utcnow(), refunded=Money("15.00", "EUR")))
    due = Deadline("platform_response", utcnow() + timedelta(hours=10), "fake")
    add(replace(opened, observed_at=utcnow() + timedelta(seconds=1), deadlines=(due,)))
    assert raise_approaching(runtime) == 1
    process_notices(runtime)
    buyer = [m["Subject"] for m in mailbox.to(BUYER)]
    assert buyer == [
        "Dossier ouvert pour la commande #r2",
        "Remboursement effectué pour la commande #r2",
    ]
    assert "15,00\xa0€" in mailbox.to(BUYER)[1].get_content()  # French: a non-breaking space
    merchant = [m["Subject"] for m in mailbox.to(MERCHANT)]
    assert "Deadline approaching for order #r2" in merchant  # the store's deadline: theirs only
    assert len(merchant) == 3
    assert case_id


def test_a_mail_server_that_is_down_is_tried_again_later(runtime, add, mailbox):
    configure(runtime, smtp_host="127.0.0.1", smtp_port=free_port())  # nothing listens
    add(a_return("r3"))
    report = process_notices(runtime)
    assert report.retrying == 2
    assert mailbox.messages == []
    assert all(n.status == "pending" and "SMTP failed" in n.last_error for n in notices(runtime))
    configure(runtime, smtp_host="127.0.0.1", smtp_port=mailbox.port)
    assert process_notices(runtime).handled == 0, "not due before the backoff"
    report = process_notices(runtime, now=utcnow() + timedelta(minutes=5))
    assert report.sent == 2
    assert sorted(m["To"] for m in mailbox.messages) == [BUYER, MERCHANT]


def test_buyers_of_chargebacks_are_not_written_to_by_default(runtime, add, mailbox):
    add(a_return("c1", kind="chargeback", object_type="dispute", category="fraud"))
    report = process_notices(runtime)
    assert (report.sent, report.skipped) == (1, 1)
    assert [m["To"] for m in mailbox.messages] == [MERCHANT]


def test_old_steps_of_a_first_sync_are_history_not_news(runtime, add, mailbox):
    add(a_return("old", hours_ago=24 * 5))
    assert notices(runtime) == []


def whsec():
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def test_the_merchant_webhook_is_signed_by_the_standard_webhooks_scheme(runtime, add):
    secret = whsec()
    with Receiver(statuses=(503,)) as receiver:
        configure(runtime, webhook_url=receiver.url, webhook_secret=secret)
        case_id = add(a_return("w1")).case.id
        assert process_notices(runtime).retrying == 1  # 503: tried again later
        assert process_notices(runtime, now=utcnow() + timedelta(minutes=5)).sent == 1
    (first_headers, _), (headers, body) = receiver.requests
    verified = standardwebhooks.Webhook(secret).verify(body, headers)
    assert verified["type"] == "case.case_opened"
    assert verified["data"]["case"]["id"] == case_id
    assert verified["data"]["audience"] == "merchant"
    assert headers["webhook-id"] == first_headers["webhook-id"], "a retry is the same message"
    assert headers["webhook-signature"].startswith("v1,")
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(body.replace(b"w1", b"w2"), headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(whsec()).verify(body, headers)
    assert json.loads(body)["data"]["details"]["at"]
