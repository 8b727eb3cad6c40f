"""Anonymous traffic spends none of eBay's quota: hostile bodies are refused before any
parse, unknown key ids are remembered and key lookups are bounded per connection, and
unsigned platform notifications mark objects for one poll instead of a read each."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from disputeflow.engine.store.tables import DeliveryRow
from disputeflow.engine.sync import sync_connection
from disputeflow.plugins.ebay.signatures import LOOKUPS_PER_MINUTE, sign
from tests.plugins.ebay.conftest import API, KID
from tests.plugins.ebay.payloads import a_return
from tests.webhooks.conftest import drain

KEYS = re.compile(rf"{API}/commerce/notification/v1/public_key/(.+)$")


def stored(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(DeliveryRow))


def post(client, shop, body, headers):
    return client.post(f"/webhooks/ebay/{shop['id']}", data=body, headers=headers)


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,  # deep nesting
        b"[" * 200_000 + b"]" * 200_000,
        b'{"metadata":{},"notification":{"data":[' + b"0," * 400_000 + b"0]}}",  # huge array
    ],
    ids=["deep-object", "deep-array", "huge-array"],
)
def test_a_hostile_forged_notification_gets_412_never_500(client, runtime, shop, mocked, body):
    forger = ec.generate_private_key(ec.SECP256R1())
    headers = {"Content-Type": "application/json", "X-EBAY-SIGNATURE": sign(body, forger, KID)}
    response = post(client, shop, body, headers)
    assert response.status_code == 412
    assert response.get_json()["code"] == "signature_mismatch"
    assert stored(runtime) == 0


def test_a_deep_nested_signature_header_is_a_mismatch(client, runtime, shop, mocked):
    header = base64.b64encode(b"[" * 2000 + b"]" * 2000).decode()
    response = post(client, shop, b"{}", {"X-EBAY-SIGNATURE": header})
    assert response.status_code == 412
    assert not mocked.calls("public_key")


def unknown_kid_request(kid):
    body = json.dumps({"metadata": {"topic": "MARKETPLACE_ACCOUNT_DELETION"},
                       "notification": {"notificationId": kid}}).encode()  # fmt: skip
    forger = ec.generate_private_key(ec.SECP256R1())
    return body, {"Content-Type": "application/json", "X-EBAY-SIGNATURE": sign(body, forger, kid)}


def test_fifty_unknown_kids_cost_at_most_the_bounded_key_lookups(
    client, runtime, shop, mocked, clock
):
    lookups = mocked.mock.add(
        "GET", KEYS, status=404, json={"errors": [{"errorId": 195000, "message": "not found"}]}
    )
    answers = [post(client, shop, *unknown_kid_request(f"forged-{n}")).status_code
               for n in range(50)]  # fmt: skip
    assert lookups.call_count == LOOKUPS_PER_MINUTE
    assert mocked.app_tokens == 1  # one client-credentials token, cached
    assert set(answers) == {412, 429}  # never a 500: nothing for eBay's quota to pay
    assert answers.count(412) == LOOKUPS_PER_MINUTE
    assert stored(runtime) == 0

    # an unknown kid is remembered for ten minutes, even once the budget is back
    clock.advance(minutes=2)
    assert post(client, shop, *unknown_kid_request("forged-0")).status_code == 412
    assert lookups.call_count == LOOKUPS_PER_MINUTE
    clock.advance(minutes=9)
    assert post(client, shop, *unknown_kid_request("forged-0")).status_code == 412
    assert lookups.call_count == LOOKUPS_PER_MINUTE + 1


def test_the_lookup_budget_is_per_connection(client, runtime, shop, mocked):
    from tests.plugins.ebay.conftest import SETTINGS

    other = runtime.add_connection("ebay", "other", dict(SETTINGS))
    lookups = mocked.mock.add("GET", KEYS, status=404, json={"errors": []})
    for n in range(LOOKUPS_PER_MINUTE + 2):
        post(client, shop, *unknown_kid_request(f"a-{n}"))
    assert post(client, other, *unknown_kid_request("b-0")).status_code == 412
    assert lookups.call_count == LOOKUPS_PER_MINUTE + 1


def unsigned_notification(return_id):
    """A ReturnShipped platform notification without NotificationSignature, as eBay's own
    samples come (developer.ebay.com/api-docs/static/pn_return-closed.html shape)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<NotificationEvent xmlns="urn:ebay:apis:eBLBaseComponents">
<Timestamp>2026-03-10T11:59:00.000Z</Timestamp>
<NotificationEventName>ReturnShipped</NotificationEventName><ReturnId>{return_id}</ReturnId>
</NotificationEvent></soapenv:Body></soapenv:Envelope>""".encode()


def test_an_unsigned_soap_storm_causes_at_most_one_poll(client, runtime, shop, mocked, clock):
    reads = mocked.mock.add(
        "GET", re.compile(rf"{API}/post-order/v2/return/(7\d+)$"), body="{}", status=404
    )
    real = mocked.get("post-order/v2/return/5000012345", a_return(state="ITEM_SHIPPED"))
    xml = {"Content-Type": "text/xml"}
    assert post(client, shop, unsigned_notification("5000012345"), xml).status_code == 200
    for n in range(40):
        assert post(client, shop, unsigned_notification(f"7{n:06d}"), xml).status_code == 200
    assert drain(runtime) == (41, 0)
    assert real.call_count == 1  # the one extra poll this minute: the first object named
    assert reads.call_count == 0  # the rest wait for the next poll, no read per request

    clock.advance(seconds=61)  # a minute on: one more extra poll reads every marked object
    assert post(client, shop, unsigned_notification("7999999"), xml).status_code == 200
    assert drain(runtime) == (1, 0)
    assert reads.call_count == 41  # 40 marked + this one, each read once, at one time
    assert post(client, shop, unsigned_notification("7888888"), xml).status_code == 200
    assert drain(runtime) == (1, 0)
    assert reads.call_count == 41  # within the minute: marked only


def test_marked_objects_are_read_by_the_next_sync(client, runtime, shop, mocked):
    mocked.mock.add("GET", re.compile(rf"{API}/post-order/v2/\w+/search"),
                    json={"members": [], "total": 0})  # fmt: skip
    mocked.get("sell/fulfillment/v1/payment_dispute_summary", {"paymentDisputeSummaries": []})
    first = mocked.get("post-order/v2/return/5000012345", a_return(state="ITEM_SHIPPED"))
    second = mocked.get("post-order/v2/return/5000012346", a_return("5000012346"))
    xml = {"Content-Type": "text/xml"}
    post(client, shop, unsigned_notification("5000012345"), xml)
    post(client, shop, unsigned_notification("5000012346"), xml)
    drain(runtime)
    assert (first.call_count, second.call_count) == (1, 0)
    report = sync_connection(runtime, shop["id"])
    assert second.call_count == 1
    assert report.created >= 1


def test_marks_survive_an_outage_and_an_inr_case_id_is_tried_as_an_inquiry(
    client, runtime, shop, mocked, clock
):
    from disputeflow import MarketplaceError

    mocked.mock.add("GET", re.compile(rf"{API}/post-order/v2/\w+/search"),
                    json={"members": [], "total": 0})  # fmt: skip
    mocked.get("sell/fulfillment/v1/payment_dispute_summary", {"paymentDisputeSummaries": []})
    xml = {"Content-Type": "text/xml"}
    mocked.get("post-order/v2/return/5000012345", a_return(state="ITEM_SHIPPED"))
    post(client, shop, unsigned_notification("5000012345"), xml)  # this minute's extra poll
    drain(runtime)
    case_note = unsigned_notification("5000012345").replace(b"ReturnId", b"CaseId")
    post(client, shop, case_note.replace(b"5000012345", b"5300000001"), xml)
    drain(runtime)  # marked only
    down = mocked.get("post-order/v2/casemanagement/5300000001", {"errors": []}, status=503)
    with pytest.raises(MarketplaceError):
        sync_connection(runtime, shop["id"])
    mocked.mock.remove(down)
    mocked.get("post-order/v2/casemanagement/5300000001", {"errors": []}, status=404)
    inquiry = mocked.get("post-order/v2/inquiry/5300000001", {
        "inquiryId": "5300000001", "status": "OPEN", "claimAmount": {"value": 5, "currency": "EUR"},
    })  # fmt: skip
    sync_connection(runtime, shop["id"])
    assert inquiry.call_count == 1
