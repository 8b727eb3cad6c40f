"""The request form for a store without a complaint flow: prove the order, see the policy
and the law, say what happened, and a case opens through the normal flow."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, NoticeRow
from disputeflow.webhooks.buyer import request_form
from tests.webhooks.buyer.conftest import PNG, ShopMarketplace, csrf_of


def start(client, shop, **form):
    page = client.get(f"/buyer/request/{shop['id']}?lang=de")
    assert page.status_code == 200
    data = {"csrf_token": csrf_of(page.get_data(as_text=True)), "lang": "de", **form}
    return client.post(f"/buyer/request/{shop['id']}", data=data)


def hidden(html, name):
    import re

    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_a_proven_order_opens_a_case_through_the_normal_flow(client, shop, runtime):
    details = start(client, shop, order_number="#1001", email="JANA@example.de")
    assert details.status_code == 200
    html = details.get_data(as_text=True)
    assert "Ihre Bestellung #1001" in html
    assert "59,90\xa0€" in html
    assert "14 Tage Zeit" in html  # her statutory right, before she says anything
    assert 'value="damaged"' in html
    assert "Artikel beschädigt angekommen" in html
    form = {name: hidden(html, name) for name in ("csrf_token", "order_number", "email",
                                                  "order_token", "lang")}  # fmt: skip
    sent = client.post(
        f"/buyer/request/{shop['id']}/submit",
        data={**form, "category": "damaged", "message": "Die Tasse ist zerbrochen.",
              "files": [(io.BytesIO(PNG), "tasse.png")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert sent.status_code == 303
    assert "/buyer/cases/case_" in sent.headers["Location"]
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Ihr Fall zur Bestellung #1001" in page
    assert "Die Tasse ist zerbrochen." in page
    with runtime.database.session() as session:
        row = session.scalar(select(CaseRow).where(CaseRow.connection_id == shop["id"]))
        case = cases.get(session, row.id)
        notices = session.scalars(select(NoticeRow).where(NoticeRow.case_id == row.id)).all()
    assert (case.platform, case.object_type, case.external_id) == ("shop", "buyer_request", "1001")
    assert (str(case.kind), str(case.category), str(case.status)) == (
        "return", "damaged", "needs_response",
    )  # fmt: skip
    assert case.buyer.locale == "de"
    assert case.buyer.country == "DE"
    assert [e.kind for e in case.evidence] == ["buyer_file"]
    assert case.extra["policy"]["statutory_window_days"] == 14  # triage ran as for any case
    assert {n.step for n in notices} == {"case_opened"}  # both parties hear of it


def test_a_wrong_email_finds_no_order(client, shop):
    refused = start(client, shop, order_number="1001", email="someone@else.example")
    assert refused.status_code == 422
    assert "keine Bestellung mit dieser Nummer" in refused.get_data(as_text=True)


def test_a_forged_order_token_is_refused(client, shop):
    html = start(client, shop, order_number="1001", email="jana@example.de").get_data(as_text=True)
    form = {name: hidden(html, name) for name in ("csrf_token", "order_number", "email")}
    forged = client.post(
        f"/buyer/request/{shop['id']}/submit",
        data={**form, "order_token": "9999999999.AAAA", "category": "damaged", "message": "x"},
    )
    assert forged.status_code == 403


def test_a_store_out_of_reach_is_said_so(client, shop):
    down = start(client, shop, order_number="503", email="jana@example.de")
    assert down.status_code == 502
    assert "Der Shop ist gerade nicht erreichbar" in down.get_data(as_text=True)


def test_the_form_needs_its_token(client, shop):
    client.get(f"/buyer/request/{shop['id']}")
    form = {"order_number": "1001", "email": "jana@example.de"}  # and no form token
    missing = client.post(f"/buyer/request/{shop['id']}", data=form)
    assert missing.status_code == 400


def test_guessing_orders_is_rate_limited_per_order_and_per_address(client, shop, monkeypatch):
    ShopMarketplace.lookups.clear()
    for attempt in range(request_form.PER_ORDER_PER_HOUR):
        answer = start(client, shop, order_number="1001", email=f"guess{attempt}@example.org")
        assert answer.status_code == 422
    limited = start(client, shop, order_number="1001", email="jana@example.de")
    assert limited.status_code == 429
    assert "Zu viele Versuche" in limited.get_data(as_text=True)
    assert len(ShopMarketplace.lookups) == request_form.PER_ORDER_PER_HOUR  # not asked again
    # this address has tried six times (five lookups and the refused one): one more may pass
    monkeypatch.setattr(request_form, "PER_IP_PER_HOUR", request_form.PER_ORDER_PER_HOUR + 2)
    assert start(client, shop, order_number="2002", email="a@b.example").status_code == 422
    assert start(client, shop, order_number="3003", email="a@b.example").status_code == 429


@pytest.mark.parametrize("platform", ["fake"])
def test_a_store_that_cannot_look_orders_up_has_no_form(client, connection, platform):
    assert connection["platform"] == platform
    assert client.get(f"/buyer/request/{connection['id']}").status_code == 404
    assert client.get("/buyer/request/con_unknown").status_code == 404
