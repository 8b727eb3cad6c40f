"""Contest through GraphQL ``disputeEvidenceUpdate``; REST only for files and tracking rows.

Payload sources: the REST evidence and file-upload bodies are Shopify's documented samples
(``fixtures/rest_dispute_evidence_get_response.json`` etc., from shopify.dev
``admin-rest/latest/resources/dispute-evidence`` via Shopify/shopify-app-js
``rest/admin/__tests__/2026-07/dispute_evidence.test.ts``). The GraphQL answers follow
shopify.dev ``admin-graphql/2026-10/mutations/disputeEvidenceUpdate`` (payload
``{disputeEvidence, userErrors{field message code}}``) and
``objects/ShopifyPaymentsDispute`` (``evidenceSentOn``, ``disputeEvidence``), with the
sample ids of those pages (dispute 598735659, evidence 819974671, "Sample uncategorized
text").
"""

from __future__ import annotations

import base64
import json

from tests.plugins.shopify.conftest import REST, fixture, graphql_router
from tests.plugins.shopify.test_actions import dispute, open_case, run

DISPUTE = "598735659"
EVIDENCE_GID = "gid://shopify/ShopifyPaymentsDisputeEvidence/819974671"
EVIDENCE = f"{REST}/shopify_payments/disputes/{DISPUTE}/dispute_evidences.json"
UPLOADS = f"{REST}/shopify_payments/disputes/{DISPUTE}/dispute_file_uploads.json"
PDF = base64.b64encode(b"%PDF-1.4 receipt").decode()


def evidence_answer(sent_on=None, **text):
    fields = {
        "accessActivityLog": None,
        "cancellationPolicyDisclosure": None,
        "cancellationRebuttal": None,
        "refundPolicyDisclosure": None,
        "refundRefusalExplanation": None,
        "uncategorizedText": "Sample uncategorized text",
        **text,
    }
    return {
        "data": {
            "dispute": {
                "id": f"gid://shopify/ShopifyPaymentsDispute/{DISPUTE}",
                "evidenceSentOn": sent_on,
                "disputeEvidence": {"id": EVIDENCE_GID, **fields},
            }
        }
    }


UPDATED = {
    "data": {"disputeEvidenceUpdate": {"disputeEvidence": {"id": EVIDENCE_GID}, "userErrors": []}}
}


def test_text_and_submit_go_through_one_graphql_mutation(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    sent = graphql_router(
        api, {"DisputeEvidence": [evidence_answer()], "DisputeEvidenceUpdate": [UPDATED]}
    )
    done = run(
        runtime,
        case,
        type="contest",
        message="Delivered and signed for.",
        params={"evidence_fields": {"refund_policy_disclosure": "https://example.com/refunds"}},
    )
    assert done["status"] == "succeeded", done["last_error"]
    assert done["external_id"] == "819974671"
    assert [name for name, _ in sent] == ["DisputeEvidence", "DisputeEvidenceUpdate"]
    assert sent[0][1]["variables"] == {"id": f"gid://shopify/ShopifyPaymentsDispute/{DISPUTE}"}
    update = sent[1][1]["variables"]
    assert update["id"] == EVIDENCE_GID
    assert update["input"] == {
        "refundPolicyDisclosure": "https://example.com/refunds",
        # the merchant's own text stays first; ours follows it
        "uncategorizedText": "Sample uncategorized text\n\nDelivered and signed for.",
        "submitEvidence": True,
    }
    assert not [c for c in api.calls if "/graphql.json" not in c.request.url]  # no REST at all


def test_the_merchants_own_fields_are_never_overwritten(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    answer = evidence_answer(cancellationRebuttal="Written by the merchant in the admin")
    sent = graphql_router(api, {"DisputeEvidence": [answer], "DisputeEvidenceUpdate": [UPDATED]})
    done = run(
        runtime,
        case,
        type="contest",
        params={"evidence_fields": {"cancellation_rebuttal": "ours", "access_activity_log": "log"}},
    )
    assert done["status"] == "succeeded", done["last_error"]
    sent_input = sent[1][1]["variables"]["input"]
    assert "cancellationRebuttal" not in sent_input
    assert "uncategorizedText" not in sent_input  # nothing of ours to add
    assert sent_input == {"accessActivityLog": "log", "submitEvidence": True}
    assert done["result"]["data"]["kept"] == ["cancellationRebuttal"]


def test_evidence_submitted_twice_adds_no_row_twice(app_client, runtime, api_connection, api):
    """The first attempt adds the tracking row and then fails; the second finds the row
    (and our text) on Shopify and adds neither again."""
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    before = fixture("rest_dispute_evidence_get_response")  # UPS 1234 and FedEx 4321 on file
    after = json.loads(json.dumps(before))
    after["dispute_evidence"]["fulfillments"].append(
        {
            "shipping_carrier": "DHL",
            "shipping_tracking_number": "999",
            "shipping_date": "2017-01-03",
        }
    )
    api.get(EVIDENCE, json=before)
    api.get(EVIDENCE, json=after)
    api.put(EVIDENCE, json=fixture("rest_dispute_evidence_update_response"))
    refused = {
        "data": {
            "disputeEvidenceUpdate": {
                "disputeEvidence": None,
                "userErrors": [{"field": ["input"], "message": "Try again", "code": "INVALID"}],
            }
        }
    }
    with_ours = evidence_answer(uncategorizedText="Sample uncategorized text\n\nShipped twice.")
    sent = graphql_router(
        api,
        {
            "DisputeEvidence": [evidence_answer(), with_ours],
            "DisputeEvidenceUpdate": [refused, UPDATED],
        },
    )
    rows = [
        {
            "shipping_carrier": "FedEx",
            "shipping_tracking_number": 4321,
            "shipping_date": "2017-01-02",
        },
        {
            "shipping_carrier": "DHL",
            "shipping_tracking_number": "999",
            "shipping_date": "2017-01-03",
        },
    ]
    first = run(runtime, case, type="contest", message="Shipped twice.",
                params={"fulfillments": rows})  # fmt: skip
    assert first["status"] == "failed"
    assert "Try again" in first["last_error"]
    second = run(runtime, case, type="contest", message="Shipped twice.",
                 params={"fulfillments": rows})  # fmt: skip
    assert second["status"] == "succeeded", second["last_error"]
    puts = [c for c in api.calls if c.request.method == "PUT"]
    assert len(puts) == 1  # the second attempt adds no row
    assert json.loads(puts[0].request.body) == {
        "dispute_evidence": {
            "fulfillments_attributes": [
                {"shipping_carrier": "DHL", "shipping_tracking_number": "999",
                 "shipping_date": "2017-01-03"}
            ]
        }
    }  # fmt: skip
    assert second["result"]["data"]["tracking_rows_added"] == 0
    updates = [body["variables"]["input"] for name, body in sent if name == "DisputeEvidenceUpdate"]
    assert updates[1] == {"submitEvidence": True}  # our text is there already: not again


def test_files_upload_through_rest_once(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    current = fixture("rest_dispute_evidence_get_response")
    current["dispute_evidence"]["dispute_evidence_files"]["uncategorized_file_id"] = None
    api.get(EVIDENCE, json=current)
    api.post(UPLOADS, json=fixture("rest_dispute_file_upload_create_response"))
    graphql_router(
        api, {"DisputeEvidence": [evidence_answer()], "DisputeEvidenceUpdate": [UPDATED]}
    )
    files = [
        {"document_type": kind, "filename": "r.pdf", "mimetype": "application/pdf", "data": PDF}
        for kind in ("uncategorized_file", "shipping_documentation_file")
    ]
    done = run(runtime, case, type="contest", params={"files": files})
    assert done["status"] == "succeeded", done["last_error"]
    assert done["result"]["data"]["uploaded_files"] == ["1047018778"]  # shipping one was attached
    posts = [c for c in api.calls if c.request.method == "POST" and c.request.url == UPLOADS]
    assert len(posts) == 1
    assert json.loads(posts[0].request.body)["dispute_file_upload"]["document_type"] == (
        "uncategorized_file"
    )


def test_submitted_evidence_is_not_submitted_again(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    sent = graphql_router(api, {"DisputeEvidence": [evidence_answer(sent_on="2026-03-02")]})
    done = run(runtime, case, type="contest", message="again")
    assert done["status"] == "succeeded"
    assert done["result"]["message"] == "evidence was already submitted"
    assert [name for name, _ in sent] == ["DisputeEvidence"]


def test_save_without_submit(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    sent = graphql_router(
        api, {"DisputeEvidence": [evidence_answer(uncategorizedText=None)],
              "DisputeEvidenceUpdate": [UPDATED]}
    )  # fmt: skip
    done = run(runtime, case, type="contest", message="Draft", params={"submit": False})
    assert done["status"] == "succeeded"
    assert sent[1][1]["variables"]["input"] == {"uncategorizedText": "Draft"}
    assert done["result"]["message"] == "evidence saved (not submitted)"


def test_unknown_dispute_fails_permanently(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    graphql_router(api, {"DisputeEvidence": [{"data": {"dispute": None}}]})
    done = run(runtime, case, type="contest", message="x")
    assert done["status"] == "failed"
    assert "no dispute 598735659" in done["last_error"]


def test_unknown_evidence_field_fails_before_any_call(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    done = run(runtime, case, type="contest", params={"evidence_fields": {"made_up": "x"}})
    assert done["status"] == "failed"
    assert "made_up" in done["last_error"]
    assert not api.calls
