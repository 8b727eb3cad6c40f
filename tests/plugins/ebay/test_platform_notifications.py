"""Platform notifications (SOAP XML): parsed safely and tolerantly, checked where signed, and
only ever a trigger to fetch the object from eBay's API."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import select

from disputeflow.engine.store.tables import DeliveryRow
from tests.plugins.ebay.conftest import SETTINGS, deliver_object, fixture_bytes, load_case
from tests.plugins.ebay.payloads import a_case, a_return, an_inquiry
from tests.webhooks.conftest import drain

MASKED_RETURN = "5********8"  # eBay's documented samples mask their ids
MASKED_CASE = "5********5"
XML = {"Content-Type": "text/xml; charset=utf-8"}


def post_xml(client, shop, body, headers=XML):
    return client.post(f"/webhooks/ebay/{shop['id']}", data=body, headers=headers)


def deliveries(runtime):
    with runtime.database.session() as session:
        return list(session.scalars(select(DeliveryRow)))


def test_documented_return_closed_triggers_a_fetch_that_updates_the_case(
    client, runtime, shop, mocked, signing_key
):
    deliver_object(
        client, shop, signing_key, "return", a_return(MASKED_RETURN), "n-1", "2026-03-02T09:00:05Z"
    )
    drain(runtime)
    assert load_case(runtime, "return", MASKED_RETURN).status == "needs_response"
    closed = a_return(MASKED_RETURN, state="CLOSED", sellerResponseDue=None)
    closed["detail"]["closeInfo"] = {"returnCloseReason": "REQUEST_DECLINED"}
    fetch = mocked.get("post-order/v2/return/5%2A%2A%2A%2A%2A%2A%2A%2A8", closed)

    response = post_xml(client, shop, fixture_bytes("platform_notification_return_closed.xml"))
    assert response.status_code == 200
    assert fetch.call_count == 0  # acknowledged before anything is fetched
    (_delivery,) = [d for d in deliveries(runtime) if d.topic == "ReturnClosed"]
    assert drain(runtime) == (1, 0)

    assert fetch.call_count == 1
    sent = fetch.calls[0].request.headers
    assert sent["Authorization"] == "IAF user-1"  # Post-Order takes the user token as IAF
    assert sent["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_DE"
    case = load_case(runtime, "return", MASKED_RETURN)
    assert (case.status, case.outcome) == ("resolved", "merchant_favor")
    assert [d for d in case.deadlines if d.source.startswith("ebay:")] == []
    assert [e.kind for e in case.timeline][-1] == "resolved"


def test_the_same_notification_again_is_a_duplicate(client, runtime, shop, mocked):
    body = fixture_bytes("platform_notification_return_closed.xml")
    assert post_xml(client, shop, body).get_json()["status"] == "accepted"
    assert post_xml(client, shop, body).get_json()["status"] == "duplicate"
    assert len(deliveries(runtime)) == 1


def test_documented_case_notification_fetches_the_case(client, runtime, shop, mocked):
    closed = a_case(MASKED_CASE, status="CLOSED", sellerClosureReason="SELLER_WINS_BUYER_FAULT")
    fetch = mocked.get("post-order/v2/casemanagement/5%2A%2A%2A%2A%2A%2A%2A%2A5", closed)
    assert post_xml(client, shop, fixture_bytes("platform_notification_ebp_closed_case.xml"))
    assert drain(runtime) == (1, 0)
    assert fetch.call_count == 1
    case = load_case(runtime, "case", MASKED_CASE)
    assert (case.kind, case.status, case.outcome) == ("claim", "resolved", "merchant_favor")
    assert str(case.amount) == "4800 JPY"


def test_an_inr_case_not_yet_escalated_is_read_as_an_inquiry(client, runtime, shop, mocked):
    mocked.get(
        "post-order/v2/casemanagement/5%2A%2A%2A%2A%2A%2A%2A%2A5",
        {"errors": [{"errorId": 1001, "message": "not found"}]},
        status=404,
    )
    mocked.get("post-order/v2/inquiry/5%2A%2A%2A%2A%2A%2A%2A%2A5", an_inquiry(MASKED_CASE))
    post_xml(client, shop, fixture_bytes("platform_notification_ebp_closed_case.xml"))
    assert drain(runtime) == (1, 0)
    inquiry = load_case(runtime, "inquiry", MASKED_CASE)
    assert (inquiry.kind, inquiry.category) == ("inquiry", "not_received")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<NotificationEvent><ReturnId>&lol3;</ReturnId></NotificationEvent></soapenv:Body>
</soapenv:Envelope>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<NotificationEvent><ReturnId>&xxe;</ReturnId></NotificationEvent></soapenv:Body>
</soapenv:Envelope>"""


@pytest.mark.parametrize(
    "body",
    [BOMB, EXTERNAL, b"<soapenv:Envelope><unclosed>", b"<html><body>hi</body></html>"],
    ids=["entity-expansion", "external-entity", "not-well-formed", "not-soap"],
)
def test_hostile_or_broken_xml_is_refused_harmlessly(client, runtime, shop, mocked, body):
    response = post_xml(client, shop, body)
    assert response.status_code == 400
    assert response.get_json()["code"] == "malformed_notification"
    assert deliveries(runtime) == []
    assert not mocked.calls("post-order")


def trading_notification(timestamp, signature, return_id="5000012345"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Header><ebl:RequesterCredentials soapenv:mustUnderstand="0"
   xmlns:ebl="urn:ebay:apis:eBLBaseComponents">
   <ebl:NotificationSignature>{signature}</ebl:NotificationSignature>
 </ebl:RequesterCredentials></soapenv:Header>
 <soapenv:Body><NotificationEvent xmlns="urn:ebay:apis:eBLBaseComponents">
  <Timestamp>{timestamp}</Timestamp><NotificationEventName>ReturnShipped</NotificationEventName>
  <ReturnId>{return_id}</ReturnId></NotificationEvent></soapenv:Body>
</soapenv:Envelope>""".encode()


def md5_signature(timestamp, dev_id, app_id, cert_id):
    digest = hashlib.md5((timestamp + dev_id + app_id + cert_id).encode()).digest()  # noqa: S324
    return base64.b64encode(digest).decode()


def test_notification_signature_is_checked_when_the_connection_can(client, runtime, shop, mocked):
    runtime.update_connection_settings(shop["id"], {"dev_id": "dev-123"})
    stamp = "2026-03-10T11:59:00.000Z"
    good = md5_signature(stamp, "dev-123", SETTINGS["client_id"], SETTINGS["client_secret"])
    mocked.get("post-order/v2/return/5000012345", a_return(state="ITEM_SHIPPED"))
    assert post_xml(client, shop, trading_notification(stamp, good)).status_code == 200
    forged = md5_signature(stamp, "dev-123", SETTINGS["client_id"], "guessed-cert-id")
    response = post_xml(client, shop, trading_notification(stamp, forged))
    assert response.status_code == 412
    assert drain(runtime) == (1, 0)
    assert load_case(runtime, "return", "5000012345").status == "awaiting_buyer"


def test_without_a_dev_id_a_signed_notification_is_only_a_trigger(client, runtime, shop, mocked):
    body = trading_notification("2026-03-10T11:59:00.000Z", "bm90LWNoZWNrZWQ=")
    assert post_xml(client, shop, body).status_code == 200


def test_a_notification_naming_no_object_concerns_no_case(client, runtime, shop, mocked):
    body = b"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
    <soapenv:Body><NotificationEvent><NotificationEventName>FeedbackLeft</NotificationEventName>
    </NotificationEvent></soapenv:Body></soapenv:Envelope>"""
    assert post_xml(client, shop, body, headers={}).status_code == 200
    assert drain(runtime) == (1, 0)
    assert not mocked.calls("post-order")


def test_a_failing_fetch_keeps_the_delivery_for_replay(client, runtime, shop, mocked, sleeps):
    """A checked (signed) notification is read per delivery; a failed read is retried."""
    runtime.update_connection_settings(shop["id"], {"dev_id": "dev-123"})
    stamp = "2026-03-10T11:59:00.000Z"
    good = md5_signature(stamp, "dev-123", SETTINGS["client_id"], SETTINGS["client_secret"])
    mocked.get("post-order/v2/return/5000012345", {"errors": [{"message": "busy"}]}, status=503)
    post_xml(client, shop, trading_notification(stamp, good))
    processed, failed = drain(runtime)
    assert (processed, failed) == (0, 3)
    (delivery,) = deliveries(runtime)
    assert delivery.status == "dead"
    assert "HTTP 503" in delivery.last_error
    assert "busy" in delivery.last_error
    assert sleeps  # PlatformClient's backoff, never a real sleep


def test_a_401_refreshes_the_user_token_once(client, runtime, shop, mocked):
    url = "post-order/v2/return/5000012345"
    mocked.get(url, {"errors": [{"errorId": 1001, "message": "Invalid access token"}]}, status=401)
    mocked.get(url, a_return(state="ITEM_DELIVERED"))
    post_xml(client, shop, trading_notification("2026-03-10T11:59:00.000Z", "eA=="))
    assert drain(runtime) == (1, 0)
    calls = mocked.calls(url)
    assert [c.request.headers["Authorization"] for c in calls] == ["IAF user-1", "IAF user-2"]
    assert mocked.user_tokens == 2
    assert load_case(runtime, "return", "5000012345").status == "needs_response"
