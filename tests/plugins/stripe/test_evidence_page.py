"""A Stripe dispute's packet through the workspace's packet page (Flask test client): Stripe
keeps drafts, so the page offers one; the draft and the submission reach Stripe with the
agent's texts in their fields and the PDF summary in ``uncategorized_file``.

Answers are stripe/openapi ``fixtures3.json`` (f6c2a48), as in test_evidence_packet.py; the
fields are those of https://docs.stripe.com/api/disputes/update (``evidence`` hash,
``submit``: false stages the evidence), checked 2026-12-05.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.store import actions, tokens
from tests.plugins.stripe.conftest import FILES, fixture
from tests.plugins.stripe.test_evidence_packet import READ, disputed, open_case
from tests.webhooks.web.conftest import csrf_of, sign_in

FILE_ID = "file_1Pgag2B7WZ01zgkWITx3dIQc"  # fixtures3_file.json
SHIPPED = {"text-tracking": "1Z999AA10123456784", "text-carrier": "UPS",
           "text-shipping_date": "2026-10-28",
           "text-shipping_address": "Jenny Rosen, 510 Townsend St, San Francisco"}  # fmt: skip


@pytest.fixture
def agent(app, runtime):
    with runtime.database.session() as session:
        token = tokens.create(session, name="agent-ana", role="agent").token
    client = app.test_client()
    assert sign_in(client, token).status_code == 302
    return client


@pytest.fixture
def case_id(runtime, account, api):
    api.get(READ, json=disputed("product_not_received"))
    return open_case(runtime, account, disputed("product_not_received"))


def page_form(client, url, **fields):
    page = client.get(url).text
    data = {"csrf_token": csrf_of(page), "item": re.findall(r'name="item" value="([^"]+)"', page)}
    for name in data["item"]:
        shown = re.search(rf'name="shown-{name}" value="([^"]*)"', page).group(1)
        data[f"shown-{name}"] = data[f"text-{name}"] = shown
    return {**data, **fields}


def sent_evidence(api):
    calls = [c for c in api.calls if c.request.method == "POST" and c.request.url == READ]
    return [dict(parse_qsl(c.request.body)) for c in calls]


def test_a_draft_on_stripe_then_the_submission(runtime, agent, case_id, api):
    url = f"/workspace/cases/{case_id}/evidence"
    page = agent.get(url).text
    assert '<button type="submit" name="then" value="draft" class="secondary">Save a draft on ' \
           "Stripe</button>" in page  # fmt: skip
    assert "keeps no evidence drafts" not in page
    assert "Sent with the packet, in the Stripe file field <code>uncategorized_file</code>" in page
    assert "Stripe field <code>customer_name</code>" in page

    drafted = agent.post(url, data=page_form(agent, url, then="draft", **SHIPPED),
                         content_type="multipart/form-data")  # fmt: skip
    assert drafted.status_code == 302, drafted.text
    assert "Saved as a draft on Stripe: queued." in agent.get(url).text
    with runtime.database.session(readonly=True) as session:
        (queued,) = [actions.describe(r) for r in actions.list_for_case(session, case_id)]
    assert (queued["params"]["submit"], queued["params"]["evidence_summary"]) == (
        False, "uncategorized_file")  # fmt: skip
    api.post(f"{FILES}/v1/files", json=fixture("fixtures3_file.json"))
    api.post(READ, json=disputed("product_not_received"))
    assert process_actions(runtime).succeeded == 1
    assert "Saved as a draft on Stripe by agent-ana" in agent.get(url).text

    submitted = agent.post(url, data=page_form(agent, url, then="submit", confirm="1"),
                           content_type="multipart/form-data")  # fmt: skip
    assert submitted.status_code == 302, submitted.text
    assert process_actions(runtime).succeeded == 1
    draft, final = sent_evidence(api)
    for sent, flag in ((draft, "false"), (final, "true")):
        assert sent["submit"] == flag
        assert sent["evidence[shipping_tracking_number]"] == "1Z999AA10123456784"
        assert sent["evidence[shipping_carrier]"] == "UPS"
        assert sent["evidence[shipping_address]"] == SHIPPED["text-shipping_address"]
        assert sent["evidence[uncategorized_file]"] == FILE_ID
    page = agent.get(url).text
    assert "Submitted to Stripe by agent-ana" in page
    assert 'id="packet-form"' not in page
