"""Which actions are which steps, and the texts they make in each language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from disputeflow import Actor, Money, TimelineEntry, TimelineKind
from disputeflow.core.clock import utcnow
from disputeflow.engine.notices import Audience, Step
from disputeflow.engine.store import actions
from disputeflow.features.i18n import formatter
from disputeflow.features.notices import render
from disputeflow.features.notices.steps import occurrence
from tests.core.transparency.conftest import a_return


@pytest.mark.parametrize(
    ("kind", "params", "step"),
    [
        ("send_message", {"request_info": True, "message": "a photo, please"},
         Step.INFORMATION_REQUESTED),
        ("send_message", {"message": "thanks"}, None),
        ("approve_return", {"rationale": "send it back"}, Step.OFFER_MADE),
        ("refund", {"amount": {"value": "10.00", "currency": "EUR"}}, Step.OFFER_MADE),
        ("refund", {"amount": {"value": "40.00", "currency": "EUR"}}, Step.DECISION),
        ("accept", {}, Step.DECISION),
        ("contest", {"rationale": "delivered"}, Step.DECISION),
    ],
)  # fmt: skip
def test_actions_the_platform_carried_out_are_steps(runtime, add, kind, params, step):
    case_id = add(a_return("s1")).case.id  # a 40.00 EUR return
    with runtime.database.session() as session:
        row = actions.create(session, case_id=case_id, type_=kind, idempotency_key=f"k-{kind}",
                             params=params, requested_by="agent", now=utcnow())  # fmt: skip
        done = TimelineEntry(utcnow(), Actor.MERCHANT, TimelineKind.ACTION_SUCCEEDED, "done",
                             {"action_id": row.id})  # fmt: skip
        found = occurrence(session, case_id, done)
    assert (found.step if found else None) == step
    if found:
        assert found.key == f"action:{row.id}"


def test_a_request_for_information_reads_well_in_french(runtime, add):
    case = add(a_return("s2")).case
    fmt = formatter("fr", "FR")
    due = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    data = {"message": "Une photo du colis ?", "due": due.isoformat().replace("+00:00", "Z")}
    text = render.text(
        fmt, Step.INFORMATION_REQUESTED, Audience.BUYER, data, case, "https://x/y", None
    )
    assert "La boutique demande plus d'informations : Une photo du colis ?" in text
    assert "Merci de répondre avant le 3 déc. 2026 18:00 (heure d’Europe centrale)." in text  # noqa: RUF001
    assert text.rstrip().endswith(
        "Suivez votre dossier, répondez et ajoutez des preuves ici : https://x/y"
    )


@pytest.mark.parametrize(
    ("lang", "country", "subject", "amount"),
    [
        ("en", "US", "Refund issued for order #9", "€1,234.50"),
        ("zh_Hans", "CN", "订单 #9 已退款", "€1,234.50"),
        ("de", "DE", "Erstattung für die Bestellung #9", "1.234,50\xa0€"),
        ("fr", "FR", "Remboursement effectué pour la commande #9", "1\u202f234,50\xa0€"),
        ("es", "ES", "Reembolso emitido para el pedido #9", "1.234,50\xa0€"),
        ("ja", "JP", "注文 #9 の返金が行われました", "€1,234.50"),
    ],
)
def test_every_language_has_its_words_and_its_money(lang, country, subject, amount):
    fmt = formatter(lang, country)
    assert render.subject(fmt, Step.REFUND_ISSUED, "#9") == subject
    assert fmt.money(Money("1234.50", "EUR")) == amount
