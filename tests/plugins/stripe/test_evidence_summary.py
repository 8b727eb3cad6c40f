"""The evidence packet's PDF summary for a Stripe dispute: read back with pypdf it holds the
case, the items that go in and the statement, and none of the connection's secrets; it goes
in Stripe's free file field ``uncategorized_file`` (https://docs.stripe.com/api/disputes/update,
``evidence.uncategorized_file``, checked 2026-12-05) unless the agent's files took it; a
submission goes on without it where WeasyPrint cannot print; an erasure blanks the copy the
contest carried.

Answers are stripe/openapi ``fixtures3.json`` (f6c2a48), as in test_evidence_packet.py.
"""

from __future__ import annotations

import base64
import io
import logging

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from disputeflow.core.effects import PersonalDataErasure, Subject
from disputeflow.engine.store import actions
from disputeflow.engine.store.tables import ActionRow
from disputeflow.features.evidence import edits, summary
from disputeflow.features.evidence import submit as submitting
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.privacy import erasure
from tests.plugins.stripe.conftest import KEY, SECRET
from tests.plugins.stripe.test_evidence_packet import (
    DISPUTE_ID,
    PDF,
    READ,
    disputed,
    open_case,
)

ADDRESS = "510 Townsend St, 94103, San Francisco, CA, US"
STATEMENT = "The cardholder placed this order from their usual address."


def read_pdf(data):
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.fixture
def fraud_case(runtime, account, api):
    api.get(READ, json=disputed("fraudulent"))
    case_id = open_case(runtime, account, disputed("fraudulent"))
    change = edits.Change(
        items={"billing_address": ADDRESS}, statement=STATEMENT, excluded=["card_checks"]
    )
    edits.apply(runtime, case_id, change, by="agent-ana")
    return case_id


def test_the_summary_holds_the_case_and_its_items_and_no_secret(runtime, fraud_case, api):
    packet = assemble(runtime, fraud_case)
    reader, text = read_pdf(summary.pdf(packet, summary.facts_of(runtime, fraud_case)))
    assert reader.pages, "it parses"
    assert DISPUTE_ID in text
    assert fraud_case in text, "disputeflow's case id"
    assert "Evidence summary" in text
    assert STATEMENT in text
    for item in packet.present():
        assert item.title in text
        assert " ".join(item.text.split())[:60] in text, item.name
    assert "Billing address" in text
    assert ADDRESS in text
    assert "CVC: pass" not in text, "an item the agent left out is not in the summary"
    assert "Card checks" not in text
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    for secret in (KEY, SECRET, KEY[-12:], SECRET[-12:]):
        assert secret not in text
        assert secret not in metadata
    assert reader.metadata.title == "Evidence summary: Stripe chargeback " + DISPUTE_ID


def test_the_summary_is_sent_in_the_free_file_field(runtime, fraud_case, api):
    action, created, _ = submitting.submit(runtime, fraud_case, draft=True, by="agent-ana")
    assert created
    assert action["params"]["evidence_summary"] == "uncategorized_file"
    (sent,) = action["params"]["files"]
    assert (sent["field"], sent["content_type"]) == ("uncategorized_file", "application/pdf")
    assert sent["item"] == "summary"
    assert sent["filename"] == f"evidence-summary-stripe-{DISPUTE_ID}.pdf"
    _, text = read_pdf(base64.b64decode(sent["content_base64"]))
    assert ADDRESS in text
    again, created, _ = submitting.submit(runtime, fraud_case, draft=True, by="agent-ana")
    assert (created, again["id"]) == (False, action["id"]), "dated summary, same packet: one"


def test_no_summary_where_the_agents_files_take_the_free_file(runtime, fraud_case, api):
    receipts = [edits.FileUpload("receipt", f"receipt-{n}.pdf", PDF) for n in (1, 2)]
    edits.apply(runtime, fraud_case, edits.Change(files=receipts), by="agent-ana")
    packet = assemble(runtime, fraud_case)
    assert submitting.summary_field(packet) is None
    action, _, _ = submitting.submit(runtime, fraud_case, draft=True, by="agent-ana")
    assert "evidence_summary" not in action["params"]
    fields = sorted(f["field"] for f in action["params"]["files"])
    assert fields == ["receipt", "uncategorized_file"]  # the agent's second receipt
    assert {f["filename"] for f in action["params"]["files"]} == {"receipt-1.pdf", "receipt-2.pdf"}


def test_without_weasyprint_the_packet_goes_without_its_summary(
    runtime, fraud_case, api, monkeypatch, caplog
):
    def unavailable(packet, facts):
        raise summary.SummaryUnavailableError("the PDF summary needs WeasyPrint and Pango")

    monkeypatch.setattr(summary, "pdf", unavailable)
    with caplog.at_level(logging.ERROR, logger=submitting.__name__):
        action, created, _ = submitting.submit(runtime, fraud_case, draft=False, by="agent-ana")
    assert created
    assert action["status"] == "pending"
    assert "files" not in action["params"]
    assert "evidence_summary" not in action["params"]
    assert f"case {fraud_case}: evidence sent without its PDF summary" in caplog.text


def test_an_erasure_blanks_the_summary_the_contest_carried(runtime, account, fraud_case, api):
    action, _, _ = submitting.submit(runtime, fraud_case, draft=False, by="agent-ana")
    with runtime.database.session() as session:
        subject = Subject(order_external_ids=("727",), name="Jenny Rosen")
        erasure.erase(session, account["id"], PersonalDataErasure("gdpr", subject),
                      home=runtime.settings.home)  # fmt: skip
    with runtime.database.session() as session:
        sent = actions.get(session, action["id"])
        (summary_file,) = sent.params["files"]
        assert summary_file["data"] == erasure.ERASED
        assert "Jenny" not in str(session.scalars(select(ActionRow.params)).all())
