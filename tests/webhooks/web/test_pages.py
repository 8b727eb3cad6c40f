"""The inbox, the analytics page with its CSV export, and the ratios page (test client)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from disputeflow import Deadline, Party
from disputeflow.core.clock import utcnow
from tests.builders import snapshot
from tests.seeded import seed


def due_in(hours):
    return (Deadline("platform_response", utcnow() + timedelta(hours=hours), "fake"),)


@pytest.fixture
def inbox_cases(add_case):
    now = utcnow()
    opened = {"observed_at": now - timedelta(days=1), "opened_at": now - timedelta(days=1)}
    return {
        "late": add_case(
            snapshot("late", deadlines=due_in(-3), buyer=Party(country="DE"), **opened)
        ),
        "soon": add_case(snapshot("soon", deadlines=due_in(5), category="not_received", **opened)),
        "later": add_case(
            snapshot(
                "later",
                deadlines=due_in(72),
                kind="return",
                object_type="return",
                category="damaged",
                buyer=Party(country="FR", email="ana@example.com"),
                **opened,
            )
        ),
        "done": add_case(snapshot("done", status="resolved", outcome="merchant_favor", **opened)),
    }


def case_links(html):
    return re.findall(r'href="/workspace/cases/([^"]+)"', html)


def test_inbox_is_sorted_by_urgency_and_flags_deadlines(as_role, inbox_cases):
    page = as_role("viewer").get("/workspace/").text
    ids = inbox_cases
    assert case_links(page) == [ids["late"], ids["soon"], ids["later"], ids["done"]]
    rows = page.split("<tbody>")[1].split("</tr>")
    assert 'class="overdue"' in rows[0]
    assert "⚠ Overdue" in rows[0]
    assert "overdue by 3h" in rows[0]
    assert 'class="soon"' in rows[1]
    assert "Due soon" in rows[1]
    assert "left" in rows[1]
    assert 'class="later"' in rows[2]
    assert "Due soon" not in rows[2]
    assert "no deadline" in rows[3]
    assert "nobody" in rows[3]
    assert 'data-cell="must-act">You (the merchant)' in rows[0]
    assert "€12.50" in rows[0]
    assert re.search(r"Needs your response <span class=\"muted\">3</span>", page)
    assert re.search(r"Resolved <span class=\"muted\">1</span>", page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=1", ["late"]),
        ("kind=return", ["later"]),
        ("category=not_received", ["soon"]),
        ("buyer_country=fr", ["later"]),
        ("q=ana%40example", ["later"]),
        ("status=resolved", ["done"]),
        ("platform=fake&status=needs_response", ["late", "soon", "later"]),
        ("queue=returns", ["later"]),
    ],
)
def test_inbox_filters(as_role, inbox_cases, query, expected):
    page = as_role("viewer").get(f"/workspace/?{query}").text
    assert case_links(page) == [inbox_cases[name] for name in expected]


def test_counts_follow_the_other_filters(as_role, inbox_cases, connection):
    page = as_role("viewer").get(f"/workspace/?kind=chargeback&connection_id={connection['id']}")
    assert re.search(r"Needs your response <span class=\"muted\">2</span>", page.text)
    assert f'<option value="{connection["id"]}" selected>eu</option>' in page.text


def test_bad_filters_are_said_and_ignored(as_role, inbox_cases):
    page = as_role("viewer").get("/workspace/?status=lost&buyer_country=Germany&cursor=zzz").text
    assert "Unknown status &#39;lost&#39;: ignored." in page
    assert "A country is two letters, e.g. DE." in page
    assert "That page link is no longer valid" in page
    assert len(case_links(page)) == 4


def test_inbox_pages_with_a_cursor(as_role, add_case, monkeypatch):
    from disputeflow.webhooks.web import inbox

    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for number in range(5):
        add_case(snapshot(f"p{number}", deadlines=due_in(number + 1)))
    client = as_role("viewer")
    seen, url = [], "/workspace/?kind=chargeback"
    while url:
        page = client.get(url).text
        seen += case_links(page)
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "kind=chargeback" in url, "the filters follow the cursor"
    assert len(seen) == 5 == len(set(seen))


def test_analytics_page_shows_every_table_with_chart_and_csv(runtime, as_role):
    ids = seed(runtime)
    page = as_role("viewer").get("/workspace/analytics?since=2026-10-01&until=2026-12-01").text
    for name in (
        "by_month",
        "by_week",
        "by_category",
        "by_product",
        "by_country",
        "by_carrier",
        "by_marketplace",
        "by_store",
        "outcomes",
        "recovery",
        "timing",
    ):
        assert f'data-table="{name}"' in page, name
        assert f"/workspace/analytics/{name}.csv?since=2026-10-01&amp;until=2026-12-01" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 9
    assert "Win rate<strong>33.33%</strong>" in page
    assert "Net recovered, USD<strong>$55.00</strong>" in page
    assert f'href="/workspace/cases/{ids["s2"]}"' in page, "root causes link to their cases"
    assert "0 of 2 stores supply them" in page


def test_analytics_csv(runtime, as_role):
    seed(runtime)
    client = as_role("viewer")
    response = client.get("/workspace/analytics/by_category.csv?since=2026-10-01&until=2026-12-01")
    assert response.mimetype == "text/csv"
    assert (
        "disputeflow-by_category-20261001-20261201.csv" in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "Category",
        "Disputes",
        "Returns",
        "Total",
        "Share of cases %",
        "Per 100 orders",
    ]
    assert rows[1] == ["fraud", "3", "0", "3", "60.00", ""]
    causes = client.get("/workspace/analytics/root_causes.csv?since=2026-10-01&until=2026-12-01")
    assert list(csv.reader(io.StringIO(causes.text)))[1][4] == "fraudulent (2), unrecognized (1)"
    assert client.get("/workspace/analytics/nope.csv").status_code == 404
    assert client.get("/workspace/analytics/by_month.csv?since=nonsense").status_code == 400


def test_analytics_period_errors_are_shown(as_role):
    page = as_role("viewer").get("/workspace/analytics?since=2026-13-45").text
    assert 'id="p-since-error">Give a date as YYYY-MM-DD.' in page
    reversed_ = as_role("viewer").get("/workspace/analytics?since=2026-12-01&until=2026-10-01")
    assert "The end must come after the start." in reversed_.text


def test_ratios_page(runtime, as_role):
    seed(runtime)
    page = as_role("viewer").get("/workspace/ratios?month=2026-11").text
    assert "<h1>Dispute ratios 2026-11</h1>" in page
    us = page.split('<th scope="row">us-store')[1].split("</tr>")[0]
    assert "needs transaction counts" in us
    assert "Mastercard ECP high excessive" in us
    assert "Chargebacks per month by payment channel" in page
    bad = as_role("viewer").get("/workspace/ratios?month=November").text
    assert "Give a month as YYYY-MM." in bad


@pytest.mark.parametrize(
    ("country", "said"),
    [
        ("HK", "none: the law of Hong Kong SAR China gives no general right to withdraw from a "
               "distance sale (see the sources)"),
        ("LA", "unknown: not confirmed in the sources (see the notes)"),
        ("CO", "5 business days, from <span lang=\"en\">delivery of the goods"),
    ],
)  # fmt: skip
def test_the_case_page_tells_a_sourced_none_from_an_unknown(as_role, add_case, country, said):
    case_id = add_case(snapshot(f"rights-{country}", buyer=Party(country=country)))
    page = as_role("viewer").get(f"/workspace/cases/{case_id}").text
    assert said in page
    first_source = {"HK": "https://www.legco.gov.hk/", "LA": "https://laotradeportal.gov.la/",
                    "CO": "https://portofinocaribe.com/"}[country]  # fmt: skip
    assert f'<a href="{first_source}' in page
