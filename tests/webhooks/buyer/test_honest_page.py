"""A buyer's page never contradicts itself: its title names the order (never a claim's own
number), a deadline it shows as passed is never followed by a later expected date, one date
is said once, and an unknown country reads as unknown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from disputeflow import Deadline, Party
from disputeflow.core.clock import utcnow
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.features.transparency import links
from disputeflow.plugins.ebay import plugin as ebay_plugin
from disputeflow.plugins.ebay.cases import case_snapshot
from tests.core.transparency.conftest import a_return
from tests.plugins.ebay.conftest import SETTINGS
from tests.plugins.ebay.payloads import a_case


@pytest.fixture
def fake_plugins(fake_plugins):
    fake_plugins.register(ebay_plugin, name="ebay")
    return fake_plugins


def page_of(client, runtime, connection_id, found, lang="en"):
    case_id = ingest_snapshot(runtime.database, runtime.plugins, connection_id, found).case.id
    url, _ = links.case_link(runtime.secrets, "", case_id)
    return client.get(f"{url}?lang={lang}").get_data(as_text=True)


def heading(html):
    return re.search(r"<h1>(.*?)</h1>", html).group(1)


def test_an_ebay_claim_is_titled_by_its_order_never_by_the_claim_number(client, runtime):
    """A Post-Order case as ``GET casemanagement/search`` lists it (CaseSummaryType,
    https://developer.ebay.com/Devzone/post-order/types/CaseSummaryType.html: caseId, and
    itemId with transactionId naming the line item; no order number)."""
    shop = runtime.add_connection("ebay", "de-shop", dict(SETTINGS))
    seen = utcnow()
    without_order = case_snapshot(a_case("5300011111"), seen)
    title = heading(page_of(client, runtime, shop["id"], without_order))
    assert "5300011111" not in title, "a claim number is not an order number"
    assert title == "Your case about the item 110551991300"
    with_order = case_snapshot(a_case("5300022222", orderId="12-34567-89012"), seen)
    titled = heading(page_of(client, runtime, shop["id"], with_order))
    assert titled == "Your case about order 12-34567-89012"
    german = heading(page_of(client, runtime, shop["id"], with_order, lang="de"))
    assert german == "Ihr Fall zur Bestellung 12-34567-89012"


def test_a_passed_deadline_is_said_and_no_later_date_is_promised(client, runtime, connection):
    passed = utcnow() - timedelta(days=3)
    found = a_return("late", hours_ago=24 * 10, deadlines=(
        Deadline("platform_response", passed, "fake", "merchant"),
    ))  # fmt: skip
    html = page_of(client, runtime, connection["id"], found)
    assert "The deadline passed on" in html
    assert "Next deadline" not in html
    assert "Expected resolution" not in html, "no date after a deadline shown as passed"
    assert "we cannot estimate when the case will be resolved" in html
    ahead = a_return("ahead", deadlines=(
        Deadline("platform_response", utcnow() + timedelta(days=2), "fake", "merchant"),
    ))  # fmt: skip
    open_page = page_of(client, runtime, connection["id"], ahead)
    assert "Next deadline:" in open_page
    assert "The deadline passed" not in open_page
    assert "Expected resolution:" in open_page


def test_one_expected_date_is_said_once(client, runtime, connection):
    # Open 200 days: the typical 14 and 30 days of a return are long gone, so the expected
    # and the latest date are both today (a buyer of no known country: no statutory refund
    # deadline passed long ago).
    old = a_return("old", hours_ago=24 * 200, buyer=Party(name="Ada"), deadlines=(
        Deadline("platform_response", utcnow() + timedelta(days=2), "fake", "merchant"),
    ))  # fmt: skip
    html = page_of(client, runtime, connection["id"], old)
    expected = re.search(r'<p class="expected">(.*?)</p>', html, re.S).group(1)
    assert "at the latest" not in expected
    assert expected.startswith("Expected resolution: by ")
    day = expected.removeprefix("Expected resolution: by ").split(".")[0]
    assert expected.count(day) == 1
    fresh = a_return("fresh", buyer=Party(name="Ada"), deadlines=(
        Deadline("platform_response", utcnow() + timedelta(days=2), "fake", "merchant"),
    ))  # fmt: skip
    two_dates = page_of(client, runtime, connection["id"], fresh)
    assert "around" in two_dates
    assert "at the latest" in two_dates


def test_an_unknown_country_reads_as_unknown(client, runtime, connection):
    nowhere = a_return("nowhere", buyer=Party(name="Ada", email="ada@example.org"))
    html = page_of(client, runtime, connection["id"], nowhere)
    assert "We do not know which country you live in" in html
    assert "no record" not in html
    unrecorded = a_return("kosovo", buyer=Party(name="Ada", country="XK"))
    told = page_of(client, runtime, connection["id"], unrecorded)
    assert "We have no record of the consumer law in Kosovo." in told
