"""The evidence packet page in a real headless Chromium against the live server: an agent
opens a Stripe dispute's packet from the case page, completes it, saves it, saves a draft
on Stripe and submits it; the worker's Stripe calls are then checked field by field.

Stripe answers are stripe/openapi ``fixtures3.json`` (f6c2a48: its ``dispute`` with its
``charge`` expanded, its ``file``), with today's dates so the deadline reads as a live one.
The evidence fields are those of https://docs.stripe.com/api/disputes/update (``evidence``
hash, ``submit``), checked 2026-12-05. Set DISPUTEFLOW_SCREENSHOTS=docs/images to keep
``evidence-packet.png``.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
import responses

from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.plugins.stripe import plugin as stripe_plugin
from disputeflow.plugins.stripe.disputes import dispute_snapshot
from disputeflow.plugins.stripe.settings import DEFAULT_ORDER_KEYS
from tests.plugins.stripe.conftest import API, FILES, WOO_METADATA, charge, dispute, fixture
from tests.plugins.stripe.conftest import settings as stripe_settings
from tests.webhooks.web.browser import chromium, screenshot
from tests.webhooks.web.test_browser import by, wait_for

DISPUTE_ID = "dp_1Pgc71B7WZ01zgkWMevJiAUx"
READ = f"{API}/v1/disputes/{DISPUTE_ID}"
FILE_ID = "file_1Pgag2B7WZ01zgkWITx3dIQc"  # fixtures3_file.json


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'workspace.sqlite3'}"


@pytest.fixture
def fake_plugins(fake_plugins, monkeypatch):
    monkeypatch.setattr(stripe_plugin.MARKETPLACE, "sleep", lambda seconds: None)
    fake_plugins.register(stripe_plugin, name="stripe")
    return fake_plugins


@pytest.fixture(scope="module")
def driver():
    browser = chromium()
    yield browser
    browser.quit()


def not_received():
    now = utcnow()
    details = {**fixture("fixtures3_dispute.json")["evidence_details"],
               "due_by": int((now + timedelta(days=6)).timestamp())}  # fmt: skip
    return dispute(status="needs_response", reason="product_not_received",
                   created=int((now - timedelta(days=2)).timestamp()),
                   evidence_details=details, charge=charge(metadata=WOO_METADATA))  # fmt: skip


@pytest.fixture
def stripe_api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(READ, json=not_received())
        mock.post(f"{FILES}/v1/files", json=fixture("fixtures3_file.json"))
        mock.post(READ, json=not_received())
        yield mock


@pytest.fixture
def store(runtime, stripe_api):
    account = runtime.add_connection("stripe", "eu-shop", stripe_settings())
    made = dispute_snapshot(not_received(), utcnow(), DEFAULT_ORDER_KEYS)
    case_id = ingest_snapshot(runtime.database, runtime.plugins, account["id"], made).case.id
    with runtime.database.session() as session:
        token = tokens.create(session, name="Ana", role=Role.AGENT).token
    return {"case": case_id, "token": token}


def type_into(driver, element_id, text):
    field = driver.find_element(by("ID"), element_id)
    field.clear()
    field.send_keys(text)


def press(driver, value):
    """Press one of the packet form's buttons and wait for the page it leads to."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    form = driver.find_element(by("ID"), "packet-form")
    form.find_element(by("CSS_SELECTOR"), f'button[name="then"][value="{value}"]').click()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(form))
    return driver.find_element(by("CSS_SELECTOR"), ".flash").text


def evidence_posts(api):
    sent = [c for c in api.calls if c.request.method == "POST" and c.request.url == READ]
    return [dict(parse_qsl(c.request.body)) for c in sent]


def test_an_agent_completes_saves_and_submits_a_packet(
    driver, live_server, runtime, store, stripe_api
):
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/sign-in")
    driver.find_element(by("ID"), "token").send_keys(store["token"])
    driver.find_element(by("CSS_SELECTOR"), "main form button[type=submit]").click()
    wait_for(driver, "table.cases")
    driver.get(f"{live_server}/workspace/cases/{store['case']}")
    driver.find_element(by("CSS_SELECTOR"), "#evidence a.button").click()

    wait_for(driver, "#packet-form")
    verdict = driver.find_element(by("CSS_SELECTOR"), ".packet-verdict").text
    assert verdict == "INCOMPLETE Required items missing: 5."
    name = driver.find_element(by("ID"), "item-customer_name").text
    assert "Stripe field customer_name" in name
    assert "From Stripe: Stripe charge ch_1PgafuB7WZ01zgkWXYmPNZs8" in name
    tracking = driver.find_element(by("ID"), "missing-tracking").text
    assert "The bank checks the tracking number with the carrier" in tracking

    type_into(driver, "p-text-tracking", "1Z999AA10123456784")
    type_into(driver, "p-text-carrier", "UPS")
    type_into(driver, "p-text-shipping_date", "2026-11-28")
    type_into(driver, "p-text-shipping_address", "Jenny Rosen, 510 Townsend St, San Francisco")
    type_into(driver, "p-text-product_description", "Ceramic mug, blue, 350 ml (SKU MUG-1)")
    type_into(driver, "p-statement", "Shipped on time with UPS and delivered to the address given.")
    assert press(driver, "save") == "The packet is saved."
    assert "Required items missing: 1." in driver.find_element(by("ID"), "packet-state").text
    edited = driver.find_element(by("ID"), "item-product_description").text
    assert "YOUR TEXT" in edited
    assert "Written by an agent" in edited
    assert driver.find_element(by("ID"), "p-text-product_description").get_attribute("value") == (
        "Ceramic mug, blue, 350 ml (SKU MUG-1)"
    )
    summary = driver.find_element(by("ID"), "packet-state").text
    assert "Sent with the packet, in the Stripe file field uncategorized_file" in summary
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, int(height) + 40)
    time.sleep(0.5)  # let the taller window repaint before the picture
    screenshot(driver, "evidence-packet", full_page=True)
    driver.set_window_size(1280, 900)

    assert press(driver, "draft") == "Saved as a draft on Stripe: queued."
    driver.find_element(by("ID"), "p-confirm").click()
    assert press(driver, "submit") == "Submitted to Stripe: queued."
    assert driver.find_elements(by("ID"), "packet-form") == [], "sent: nothing left to edit"
    assert "Submitted to Stripe by Ana" in driver.find_element(by("ID"), "packet-line").text

    assert process_actions(runtime).succeeded == 2
    draft, final = evidence_posts(stripe_api)
    assert (draft["submit"], final["submit"]) == ("false", "true")
    for sent in (draft, final):
        assert sent["evidence[shipping_tracking_number]"] == "1Z999AA10123456784"
        assert sent["evidence[shipping_carrier]"] == "UPS"
        assert sent["evidence[shipping_date]"] == "2026-11-28"
        assert sent["evidence[product_description]"] == "Ceramic mug, blue, 350 ml (SKU MUG-1)"
        assert sent["evidence[uncategorized_file]"] == FILE_ID  # the PDF summary
        assert sent["evidence[uncategorized_text]"].startswith("Shipped on time with UPS")
    uploads = [c for c in stripe_api.calls if c.request.url == f"{FILES}/v1/files"]
    assert all(b"evidence-summary-stripe-" + DISPUTE_ID.encode() in c.request.body
               for c in uploads)  # fmt: skip
