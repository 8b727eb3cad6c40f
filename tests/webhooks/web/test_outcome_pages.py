"""The outcomes on the analytics page, in its CSV export and in ``disputeflow report``: the
recovery rate beside the win rate, with the note that vendors' win rates are not comparable.

tests/seeded.py by hand: EUR d1 won 100 (contested, its own fee 15 EUR), d2 lost 50 (not
answered); USD s1 partial 80 less 30 refunded (contested, its own fee 15 USD), s2 withdrawn
20 (not answered). Recovery rates: EUR 100 / 150 = 66.67%, USD 70 / 100 = 70%.
With ``[fees.fake] dispute_fee = "10.00 EUR"``: d2 cost 10 EUR; Shopify's fees unknown.
"""

from __future__ import annotations

import csv
import io

from disputeflow.features.handling.rules_file import parse_rules
from tests.seeded import seed
from tests.webhooks.web.test_report import Page, run

FEES = '[fees.fake]\ndispute_fee = "10.00 EUR"\n'
PERIOD = "since=2026-10-01&until=2026-12-01"
OUTCOMES = (
    "outcomes_by_marketplace",
    "outcomes_by_category",
    "outcomes_by_reason",
    "outcomes_by_evidence",
)


def test_the_page_shows_recovery_rates_and_outcome_tables(runtime, as_role):
    seed(runtime)
    page = as_role("viewer").get(f"/workspace/analytics?{PERIOD}").text
    assert "Recovery rate, EUR<strong>66.67%</strong>" in page
    assert "Recovery rate, USD<strong>70%</strong>" in page
    assert "recovered of every closed dispute, fought or not" in page
    for name in OUTCOMES:
        assert f'data-table="{name}"' in page, name
        assert f"/workspace/analytics/{name}.csv?since=2026-10-01&amp;until=2026-12-01" in page
    assert "Outcomes by reason code" in page
    assert "Win rate by evidence item" in page
    assert "vendors&#39; win rates are not comparable" in page


def test_the_csv_counts_fees_from_the_settings(runtime, as_role):
    seed(runtime)
    runtime.rules = parse_rules(FEES)
    client = as_role("viewer")
    response = client.get(f"/workspace/analytics/outcomes_by_marketplace.csv?{PERIOD}")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "Marketplace", "Currency", "Closed disputes", "Fought", "Accepted", "Not answered",
        "Win rate when fought %", "Disputed", "Recovered", "Recovery rate %", "Fees paid",
        "Without fee figures",
    ]  # fmt: skip
    assert rows[1:] == [
        ["fake", "EUR", "2", "1", "0", "1", "100.00", "150.00", "100.00", "66.67", "25.00", "0"],
        ["shopify", "USD", "2", "1", "0", "1", "0.00", "100.00", "70.00", "70.00", "15.00", "1"],
        ["All marketplaces", "EUR", "2", "1", "0", "1", "100.00", "150.00", "100.00", "66.67",
         "25.00", "0"],
        ["All marketplaces", "USD", "2", "1", "0", "1", "0.00", "100.00", "70.00", "70.00",
         "15.00", "1"],
    ]  # fmt: skip


def test_the_page_in_german(runtime, as_role):
    seed(runtime)
    page = as_role("viewer").get(f"/workspace/analytics?{PERIOD}&lang=de").text
    assert "Ergebnisse nach Marktplatz" in page
    assert "Rückgewinnungsquote, EUR<strong>66,67" in page
    assert "Gewinnquoten der Anbieter nicht vergleichbar" in page


def test_the_report_includes_the_outcomes(runtime, fake_plugins, tmp_path):
    seed(runtime)
    rules = tmp_path / "rules.toml"
    rules.write_text(FEES)
    out = tmp_path / "report.html"
    result = run(runtime, fake_plugins, "--rules", str(rules), "report", "--since", "2026-10-01",
                 "--until", "2026-12-01", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text()
    page = Page()
    page.feed(html)
    assert set(OUTCOMES) <= set(page.tables)
    assert "Recovery rate, EUR<strong>66.67%</strong>" in html
    assert "vendors&#39; win rates are not comparable" in html
    # the fake row: 2 closed, 1 fought, 0 accepted, 1 not answered, ..., fees 25.00 (15 + 10)
    fake_row = html.split('data-table="outcomes_by_marketplace"', 1)[1].split("</tr>", 2)[1]
    cells = [c.split("<", 1)[0] for c in fake_row.split('class="num">')[1:]]
    assert cells == ["EUR", "2", "1", "0", "1", "100", "150", "100", "66.67", "25", "0"]
