"""The case's evidence packet page through the Flask test client: what it shows, an agent's
edits, files, drafts and submission, roles, forgery and errors, and the PDF summary.

The fake marketplace has no section in the evidence catalogue: its items go into the free
text, it keeps no drafts and takes no files (what an unknown platform gets). Stripe's drafts
and file fields are tested in tests/plugins/stripe/test_evidence_page.py.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from disputeflow import MarketplaceError, Message, Money, Party, hookimpl
from disputeflow.engine.store import actions, packets
from disputeflow.engine.store.tables import EvidenceFileRow
from disputeflow.features.evidence import summary
from disputeflow.features.evidence.assemble import assemble
from tests.builders import T0, snapshot
from tests.webhooks.web.conftest import csrf_of

PDF = b"%PDF-1.4\n% a delivery receipt\n"
BUYER = Party(name="Jenny Rosen", email="jenny.rosen@example.com", country="DE")


class BrokenSource:
    """A plugin whose platform is down when asked for evidence."""

    @hookimpl
    def disputeflow_collect_evidence(self, case, connection):
        raise MarketplaceError("the platform answered 503")


@pytest.fixture
def dispute(add_case):
    said = Message("m1", "buyer", "I never ordered this.", T0)
    return add_case(snapshot("cb1", buyer=BUYER, messages=(said,)))


@pytest.fixture
def agent(as_role):
    return as_role("agent")


def url(case_id, tail=""):
    return f"/workspace/cases/{case_id}/evidence{tail}"


def form(client, case_id, **fields):
    """The packet form as the page shows it (its texts and the ones it showed), changed by
    ``fields``; ``None`` drops a field."""
    page = client.get(url(case_id)).text
    data: dict[str, list[str]] = {"csrf_token": [csrf_of(page)]}
    data["item"] = re.findall(r'name="item" value="([^"]+)"', page)
    for name in data["item"]:
        shown = re.search(rf'name="shown-{name}" value="([^"]*)"', page).group(1)
        data[f"shown-{name}"] = data[f"text-{name}"] = [unescape(shown)]
    data["excluded"] = re.findall(r'name="excluded" value="([^"]+)" checked', page)
    data["excluded"] += re.findall(r'type="hidden" name="excluded" value="([^"]+)"', page)
    for key, value in fields.items():
        if key == "file":  # (bytes, name): a fresh upload each time
            data[key] = [(io.BytesIO(value[0]), value[1])]
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value if isinstance(value, list | tuple) else [value]
    return data


def unescape(text):
    return text.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"').replace(
        "&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # fmt: skip


def post(client, case_id, data):
    return client.post(url(case_id), data=data, content_type="multipart/form-data")


def field_error(html, field):
    found = re.search(rf'id="p-{field}-error">([^<]*)<', html)
    return found.group(1) if found else None


def stored(runtime, case_id):
    with runtime.database.session(readonly=True) as session:
        row = packets.get(session, case_id)
        return (dict(row.edits), row.statement) if row else None


def contests(runtime, case_id):
    with runtime.database.session(readonly=True) as session:
        return [actions.describe(r) for r in actions.list_for_case(session, case_id)]


def test_the_case_page_leads_to_the_packet(as_role, dispute, add_case):
    page = as_role("viewer").get(f"/workspace/cases/{dispute}").text
    assert 'id="evidence"' in page
    assert f'href="/workspace/cases/{dispute}/evidence"' in page
    assert "Not started yet." in page
    a_return = add_case(snapshot("r1", kind="return", object_type="return",
                                 category="changed_mind"))  # fmt: skip
    assert 'id="evidence"' not in as_role("viewer").get(f"/workspace/cases/{a_return}").text


def test_a_viewer_reads_what_is_there_what_is_missing_and_why(as_role, dispute, fake_plugins):
    fake_plugins.register(BrokenSource(), name="broken-source")
    page = as_role("viewer").get(url(dispute)).text
    assert "<h1>Evidence packet" in page
    messages = page.split('id="item-buyer_messages"')[1].split("</article>")[0]
    assert "Messages with the buyer" in messages
    assert "Free text for Fake marketplace" in messages  # the field it fills
    assert '<span lang="en">disputeflow: messages on the case</span>' in messages  # source
    assert "as of November 1, 2026" in messages
    assert '<div class="evidence-text" lang="">2026-11-01 12:00 UTC, buyer: I never ordered' in (
        messages
    )
    card = page.split('id="missing-billing_address"')[1].split("</article>")[0]
    assert "Billing address" in card
    assert "Required" in card
    assert "A billing address the card issuer verified (AVS) ties the order" in card
    assert "Required items missing: 2." in page  # billing_address and card_checks
    assert '<li lang="en">broken-source: the platform answered 503</li>' in page
    assert "<form" not in page.split("<main")[1].split("</main>")[0].replace(
        'action="/workspace/sign-out"', "")  # fmt: skip
    assert "you can read this packet but not change it" in page
    assert "Fake marketplace keeps no evidence drafts" not in page


def test_an_agent_edits_leaves_out_adds_and_saves(runtime, agent, dispute):
    data = form(agent, dispute, **{
        "text-customer_name": "Jenny A. Rosen", "text-billing_address": "1 Main St, Berlin",
        "excluded": ["buyer_messages"], "add_item": "tracking", "add_text": "1Z999",
        "statement": "The cardholder\r\nordered it.", "file_item": "delivery",
        "file": (PDF, "pod.pdf"), "then": "save",
    })  # fmt: skip
    response = post(agent, dispute, data)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith(f"{url(dispute)}#packet-state")
    edits, statement = stored(runtime, dispute)
    assert edits["items"] == {
        "customer_name": "Jenny A. Rosen", "billing_address": "1 Main St, Berlin",
        "tracking": "1Z999",
    }  # fmt: skip
    assert edits["excluded"] == ["buyer_messages"]
    assert statement == "The cardholder\nordered it."
    ((file_id, item),) = [(f["id"], f["item"]) for f in edits["files"]]
    assert item == "delivery"
    page = agent.get(url(dispute)).text
    assert "The packet is saved." in page
    assert 'id="item-buyer_messages"' in page
    assert "Left out" in page
    assert f'href="{url(dispute)}/files/{file_id}">pod.pdf</a>' in page
    assert "Last edited by agent-person" in page
    download = agent.get(url(dispute, f"/files/{file_id}"))
    assert (download.data, download.mimetype) == (PDF, "application/pdf")
    assert download.headers["Content-Disposition"].startswith('attachment; filename="pod.pdf"')
    packet = assemble(runtime, dispute)
    found = {item.name: item for item in packet.items if not item.file_id}
    assert found["customer_name"].origin == "agent"
    assert found["customer_email"].origin == "disputeflow", "unchanged: not stored as the agent's"


def test_an_agent_drops_their_text_and_removes_a_file(runtime, agent, dispute):
    first = form(agent, dispute, **{"text-customer_name": "J. Rosen", "file_item": "receipt",
                                    "file": (PDF, "r.pdf")})  # fmt: skip
    assert post(agent, dispute, first).status_code == 302
    ((file_id,),) = [(f["id"],) for f in stored(runtime, dispute)[0]["files"]]
    assert "Drop my text and use what was found" in agent.get(url(dispute)).text
    second = form(agent, dispute, revert=["customer_name"], remove_file=[file_id])
    assert post(agent, dispute, second).status_code == 302
    edits, _ = stored(runtime, dispute)
    assert (edits["items"], edits["files"]) == ({}, [])
    with runtime.database.session(readonly=True) as session:
        assert session.scalars(select(EvidenceFileRow)).all() == []
    assert agent.get(url(dispute, f"/files/{file_id}")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"then": "submit"}, "confirm", "Tick this box to send the packet."),
        ({"add_item": "tracking"}, "add_text", "Write the text of the item you add."),
        ({"add_text": "1Z999"}, "add_item", "Choose the item this text is."),
        ({"text-customer_name": "x" * 20_001}, "text-customer_name", "At most 20,000 characters."),
        ({"file": (PDF, "pod.pdf")}, "file_item", "Choose what the file shows."),
        ({"file_item": "delivery", "file": (b"<html>", "x.pdf")}, "file",
         "Only photos (JPEG, PNG, GIF, WebP) and PDF files can be added."),
        ({"file_item": "delivery", "file": (b"%PDF-" + b"0" * 5_300_000, "big.pdf")},
         "file", "The file is larger than 5 MB."),
    ],
)  # fmt: skip
def test_what_is_wrong_sits_next_to_its_field(runtime, agent, dispute, fields, field, message):
    data = form(agent, dispute, **{"statement": "Kept as typed", **fields})
    response = post(agent, dispute, data)
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert f'id="p-{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Kept as typed</textarea>" in response.text, "what was typed is kept"
    assert stored(runtime, dispute) in (None, ({"items": {}, "files": []}, ""))
    assert contests(runtime, dispute) == []


def test_roles_and_forgery(as_role, runtime, dispute):
    viewer = as_role("viewer")
    data = form(viewer, dispute, statement="x")
    data["csrf_token"] = [csrf_of(viewer.get(url(dispute)).text)]
    refused = post(viewer, dispute, data)
    assert refused.status_code == 403
    assert "This needs the agent role" in refused.text
    agent = as_role("agent")
    forged = form(agent, dispute, statement="x", csrf_token="not-the-token")
    assert post(agent, dispute, forged).status_code == 400
    assert stored(runtime, dispute) is None
    assert as_role("viewer").get(url("case_nope")).status_code == 404


def test_no_draft_where_the_platform_keeps_none(runtime, agent, dispute):
    page = agent.get(url(dispute)).text
    assert 'value="draft"' not in page
    assert "Fake marketplace keeps no evidence drafts" in page
    refused = post(agent, dispute, form(agent, dispute, then="draft"))
    assert refused.status_code == 409
    assert "Refused: Fake marketplace keeps no evidence drafts" in refused.text
    assert contests(runtime, dispute) == []


def test_an_agent_submits_the_packet_once(runtime, agent, dispute):
    data = form(agent, dispute, **{"text-billing_address": "1 Main St", "then": "submit",
                                   "confirm": "1"})  # fmt: skip
    response = post(agent, dispute, data)
    assert response.status_code == 302, response.text
    (action,) = contests(runtime, dispute)
    assert (action["type"], action["status"], action["requested_by"]) == (
        "contest", "pending", "agent-person")  # fmt: skip
    assert action["params"]["evidence_packet"] is True
    assert "billing_address" in action["params"]["evidence_items"]
    assert "Billing address (the agent):\n1 Main St" in action["params"]["message"]
    page = agent.get(url(dispute)).text
    assert "Submitted to Fake marketplace: queued." in page
    assert "Submitted to Fake marketplace by agent-person" in page
    assert 'id="packet-form"' not in page, "sent: nothing left to edit here"
    assert "which takes evidence once" in page
    case_page = agent.get(f"/workspace/cases/{dispute}").text
    assert "The packet is submitted (agent-person," in case_page
    again = post(agent, dispute, data)  # the same packet again (a second tab, say)
    assert again.status_code == 302
    assert "This packet was sent already" in agent.get(url(dispute)).text
    assert len(contests(runtime, dispute)) == 1


def test_files_the_platform_cannot_take_are_refused_on_submit(runtime, agent, dispute):
    added = form(agent, dispute, file_item="delivery", file=(PDF, "pod.pdf"))
    assert post(agent, dispute, added).status_code == 302
    assert "Fake marketplace takes no file here" in agent.get(url(dispute)).text
    refused = post(agent, dispute, form(agent, dispute, then="submit", confirm="1"))
    assert refused.status_code == 422
    assert "Fake marketplace takes no more files for this packet" in refused.text
    assert contests(runtime, dispute) == []


def test_the_pdf_summary_downloads(as_role, runtime, dispute, make_token):
    secret = make_token("admin", name="root")
    response = as_role("viewer").get(url(dispute, "/summary.pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="evidence-summary-fake-cb1.pdf"')  # fmt: skip
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join("\n".join(p.extract_text() for p in reader.pages).split())
    assert "cb1" in text
    assert dispute in text
    assert "Messages with the buyer" in text
    assert "I never ordered this." in text
    assert "€12.50" in text
    for hidden in (secret, "signing_secret", runtime.secrets.derive_key("x").hex()[:16]):
        assert hidden not in text


def test_no_pdf_summary_without_weasyprint(as_role, dispute, monkeypatch):
    def unavailable(packet, facts):
        raise summary.SummaryUnavailableError("no Pango")

    monkeypatch.setattr(summary, "pdf", unavailable)
    response = as_role("viewer").get(url(dispute, "/summary.pdf"))
    assert response.status_code == 503
    assert "WeasyPrint or Pango is missing" in response.text
    assert "Not available here" in response.text


def test_a_body_larger_than_one_file_is_refused(agent, dispute):
    data = form(agent, dispute, file_item="delivery",
                file=(b"%PDF-" + b"0" * 8_000_000, "huge.pdf"))  # fmt: skip
    response = post(agent, dispute, data)
    assert response.status_code == 413
    assert "What was sent is too large." in response.text


def test_money_in_the_packet_is_the_cases(as_role, add_case):
    case_id = add_case(snapshot("cb2", amount=Money("99.90", "USD")))
    assert "$99.90" in " ".join(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
            as_role("viewer").get(url(case_id, "/summary.pdf")).data)).pages).split()
    )  # fmt: skip


def test_a_forged_item_name_stores_nothing(runtime, agent, dispute):
    data = form(agent, dispute, item=["bogus"], **{"shown-bogus": "", "text-bogus": "x"})
    response = post(agent, dispute, data)
    assert response.status_code == 422
    assert "the packet change names unknown items" in response.text
    assert stored(runtime, dispute) is None


def test_a_left_out_file_stays_left_out_when_the_form_is_saved(runtime, agent, dispute):
    from disputeflow.features.evidence import edits

    change = edits.Change(files=[edits.FileUpload("delivery", "pod.pdf", PDF)],
                          excluded=["delivery"])  # fmt: skip
    edits.apply(runtime, dispute, change, by="api-client")
    page = agent.get(url(dispute)).text
    assert '<input type="hidden" name="excluded" value="delivery">' in page  # no card of its own
    assert post(agent, dispute, form(agent, dispute, statement="s")).status_code == 302
    assert stored(runtime, dispute)[0]["excluded"] == ["delivery"]
