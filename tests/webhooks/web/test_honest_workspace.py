"""The workspace says what it means: marketplaces by their titles, buyers by name, deadline
sources in words, what a priority number is, the buyer's own deadline as their page shows
it; analytics that count one reason once, link readable case titles, fold empty weeks and
open on a period that holds data."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from disputeflow import Deadline, Money, Order, Party
from disputeflow.core.clock import utcnow
from disputeflow.features.analytics.facts import normalised
from disputeflow.features.transparency import links
from disputeflow.plugins.ebay import plugin as ebay_plugin
from disputeflow.plugins.ebay.cases import case_snapshot
from tests.builders import snapshot
from tests.plugins.ebay.conftest import SETTINGS
from tests.plugins.ebay.payloads import a_case


@pytest.fixture
def fake_plugins(fake_plugins):
    fake_plugins.register(ebay_plugin, name="ebay")
    return fake_plugins


@pytest.fixture
def ebay_claim(runtime, add_case):
    """An eBay claim as Post-Order's casemanagement lists it (CaseSummaryType field list,
    https://developer.ebay.com/Devzone/post-order/types/CaseSummaryType.html), with the
    absolute ``respondByDate`` eBay gives (Get Case, checked 2026-12-04)."""
    shop = runtime.add_connection("ebay", "de-shop", dict(SETTINGS))
    due = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    found = case_snapshot(
        a_case("5300011111", respondByDate={"value": due}, creationDate={"value": due}),
        utcnow(),
    )
    return add_case(found, connection_id=shop["id"])


def cell(row, name):
    return re.search(rf'data-cell="{name}">(.*?)</td>', row, re.S).group(1)


def test_inbox_names_marketplaces_by_title_and_buyers_by_name(as_role, add_case, ebay_claim):
    now = utcnow()
    due = (Deadline("platform_response", now + timedelta(hours=30), "fake"),)
    add_case(snapshot("named", deadlines=due, buyer=Party(name="Sam Buyer", country="US")))
    page = as_role("viewer").get("/workspace/").text
    rows = page.split("<tbody>")[1].split("</tr>")
    claim = next(r for r in rows if "5300011111" in r)
    named = next(r for r in rows if "named" in r)
    assert cell(claim, "marketplace").startswith("eBay<br>")
    assert cell(claim, "buyer").strip() == "tokyo_buyer", "the buyer's eBay id, where no name"
    assert cell(named, "buyer").strip() == "Sam Buyer · United States"
    assert '<option value="ebay">eBay</option>' in page
    assert '<option value="fake">Fake marketplace</option>' in page


def test_case_page_says_deadline_sources_and_priority_in_words(as_role, ebay_claim):
    page = as_role("viewer").get(f"/workspace/cases/{ebay_claim}").text
    sources = re.findall(r'data-cell="source">(.*?)</td>', page)
    assert "eBay&#39;s response deadline" in sources
    assert not any(":" in s for s in sources), "no raw source codes"
    assert "Claim 5300011111" in page
    assert "· eBay ·" in page
    priority = re.search(r'id="priority">(.*?)</dd>', page, re.S).group(1)
    assert re.search(r"\d+ of 100: the higher, the sooner a person should look at it", priority)
    assert "deadline" in priority
    assert "kind of case" in priority


def test_the_deadline_is_the_one_the_buyer_page_shows(client, runtime, as_role, add_case):
    due = datetime(2027, 1, 15, 3, 30, tzinfo=UTC)
    case_id = add_case(
        snapshot(
            "jp-1",
            kind="return",
            object_type="return",
            category="changed_mind",
            opened_at=utcnow(),
            observed_at=utcnow(),
            order=Order("o-1", "#1"),
            buyer=Party(name="Aiko", country="JP"),
            deadlines=(Deadline("platform_response", due, "fake", "merchant"),),
        )
    )
    url, _ = links.case_link(runtime.secrets, "", case_id)
    buyer = client.get(f"{url}?lang=en").get_data(as_text=True)
    said = re.search(r"Next deadline: ([^<]+)</p>", buyer).group(1)
    assert said == "Jan 15, 2027 12:30\u202fPM (Japan Time)"
    merchant = as_role("viewer").get(f"/workspace/cases/{case_id}").text
    assert f"On the buyer&#39;s page: {said}" in merchant
    assert "Jan 15, 2027 3:30\u202fAM (UTC)" in merchant, "and on the workspace's own clock"


def test_reasons_are_normalised_before_counting(runtime, as_role, add_case):
    assert normalised("FRAUD") == normalised(" fraud") == normalised("Fraud") == "fraud"
    assert normalised("item not received") == normalised("ITEM_NOT_RECEIVED")
    opened = utcnow() - timedelta(days=3)
    for number, reason in enumerate(("FRAUD", "fraud", "Fraud ")):
        add_case(snapshot(f"n{number}", platform_reason=reason, opened_at=opened,
                          observed_at=opened))  # fmt: skip
    client = as_role("viewer")
    page = client.get("/workspace/analytics").text
    assert "<code>fraud</code> (3)" in page
    assert "FRAUD" not in page
    since = f"{opened - timedelta(days=1):%Y-%m-%d}"
    causes = client.get(f"/workspace/analytics/root_causes.csv?since={since}").text
    assert list(csv.reader(io.StringIO(causes)))[1][4] == "fraud (3)"


def test_root_causes_link_readable_case_titles(as_role, add_case):
    opened = utcnow() - timedelta(days=2)
    case_id = add_case(snapshot("4711", opened_at=opened, observed_at=opened,
                                order=Order("o-9", "#9001")))  # fmt: skip
    page = as_role("viewer").get("/workspace/analytics").text
    causes = page.split('id="causes-title"')[1].split("</section>")[0]
    link = re.search(rf'<a href="/workspace/cases/{case_id}">(.*?)</a>', causes).group(1)
    assert link == "Chargeback 4711"
    assert "order #9001" in causes
    assert case_id not in re.sub(r'href="[^"]*"', "", causes), "no bare case ids"


def test_weeks_without_cases_are_folded(as_role, add_case):
    for day in (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)):
        add_case(snapshot(f"w{day:%m}", opened_at=day, observed_at=day))
    client = as_role("viewer")
    page = client.get("/workspace/analytics?since=2026-09-01&until=2026-11-09").text
    weeks = page.split('data-table="by_week"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>", weeks.split("<tbody>")[1])
    assert len(rows) == 3, "the week of Sep 1, the weeks between as one row, the week of Nov 3"
    assert "2026-W37 \u2013 2026-W44" in weeks
    assert "(8 weeks without cases)" in weeks
    csv_rows = client.get("/workspace/analytics/by_week.csv?since=2026-09-01&until=2026-11-09")
    assert len(list(csv.reader(io.StringIO(csv_rows.text)))) == 1 + 10, "the CSV keeps every week"


def test_the_default_window_holds_the_data_there_is(as_role, add_case):
    client = as_role("viewer")
    assert 'id="window-moved"' not in client.get("/workspace/analytics").text, "no data at all"
    old = utcnow() - timedelta(days=400)
    add_case(snapshot("old-1", opened_at=old, observed_at=old, amount=Money("9.00", "EUR")))
    page = client.get("/workspace/analytics").text
    assert 'id="window-moved"' in page
    assert "Disputes<strong>1</strong>" in page
    recent = utcnow() - timedelta(days=5)
    add_case(snapshot("new-1", opened_at=recent, observed_at=recent))
    now_page = client.get("/workspace/analytics").text
    assert 'id="window-moved"' not in now_page
    assert "Disputes<strong>1</strong>" in now_page, "the last six months: only the new case"
