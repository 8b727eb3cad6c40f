"""Converted amounts carry the date of the rates beside them: the analytics' money in the
reporting currency, and a case's amount on its page.

The ECB's file is the one of 20 April 2010 (see ``tests/core/test_rates.py`` for its
source); the figures below are worked out by hand from it: 100 USD / 1.3486 = 74.15 EUR,
70 USD -> 51.91 EUR, 15 USD -> 11.12 EUR (half-even to the cent).
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import responses

from disputeflow import Money
from disputeflow.core.clock import utcnow
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.features.rates import plugin as rates_plugin
from disputeflow.features.rates.ecb import DAILY_URL
from tests.builders import snapshot
from tests.seeded import seed

ECB_FILE = (Path(__file__).parents[2] / "data" / "ecb_eurofxref_daily_2010-04-20.xml").read_bytes()
PERIOD = "since=2026-10-01&until=2026-12-01"
LABEL = "ECB reference rate of 2010-04-20"


@pytest.fixture
def ecb():
    rates_plugin.BOOK.clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(DAILY_URL, body=ECB_FILE, content_type="text/xml")
        yield mock
    rates_plugin.BOOK.clear()


@pytest.fixture
def in_euros(runtime):
    runtime.rules = replace(runtime.rules, reporting_currency="EUR")
    return runtime


def test_analytics_show_money_in_the_reporting_currency_with_the_rates_date(in_euros, as_role, ecb):
    seed(in_euros)
    page = as_role("viewer").get(f"/workspace/analytics?{PERIOD}").text
    assert len(ecb.calls) == 1, "the page fetched the day's rates (the worker had not)"
    table = page.split('data-table="recovery_converted"')[1].split("</table>")[0]
    usd = table.split('<th scope="row">USD</th>')[1].split("</tr>")[0]
    for figure in ("74.15", "51.91", "11.12", "40.79", LABEL):
        assert figure in usd, figure
    eur = table.split('<th scope="row">EUR</th>')[1].split("</tr>")[0]
    assert "no conversion needed" in eur
    total = table.split('<th scope="row">All currencies</th>')[1].split("</tr>")[0]
    for figure in ("224.15", "151.91", "26.12", "125.79", LABEL):
        assert figure in total, figure
    assert (
        "Net recovered, all in EUR<strong>€125.79</strong>"
        f'<span class="muted">of €224.15 disputed (<span lang="en">{LABEL}</span>)</span>'
    ) in page
    assert "Net recovered, USD<strong>$55.00</strong>" in page, "the originals stay"

    exported = as_role("viewer").get(f"/workspace/analytics/recovery_converted.csv?{PERIOD}")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][-1] == "Converted at"
    assert rows[2] == ["USD", "74.15", "51.91", "11.12", "40.79", LABEL]
    assert len(ecb.calls) == 1, "kept for the day"


def test_without_a_reporting_currency_nothing_is_converted_or_fetched(runtime, as_role, ecb):
    seed(runtime)
    page = as_role("viewer").get(f"/workspace/analytics?{PERIOD}").text
    assert "recovery_converted" not in page
    assert "all in" not in page
    assert len(ecb.calls) == 0


def test_a_total_is_not_given_when_a_currency_has_no_rate(in_euros, as_role, ecb):
    ecb.replace(responses.GET, DAILY_URL, status=503)
    seed(in_euros)
    page = as_role("viewer").get(f"/workspace/analytics?{PERIOD}").text
    assert "No rate is known for USD" in page
    assert "All currencies" not in page
    assert "all in EUR" not in page


def test_a_cases_amount_in_the_reporting_currency_shows_its_rate(
    in_euros, as_role, connection, ecb
):
    rates_plugin.BOOK.refresh(in_euros.settings.home, timeout=3.0)  # as housekeeping does
    made = snapshot("usd-1", amount=Money("134.86", "USD"), observed_at=utcnow())
    merged = ingest_snapshot(
        in_euros.database, in_euros.plugins, connection["id"], made, rules=in_euros.rules
    )
    case_id = merged.case.id
    recorded = merged.case.extra["priority"]["reporting_rate"]
    assert (recorded["source"], recorded["date"], recorded["label"]) == ("ECB", "2010-04-20", LABEL)
    assert Decimal(recorded["rate"]).quantize(Decimal("0.000001")) == Decimal("0.741510")
    assert merged.case.extra["priority"]["reporting_amount"] == {
        "value": "100.00",
        "currency": "EUR",
    }
    page = as_role("viewer").get(f"/workspace/cases/{case_id}").text
    shown = page.split("<dt>Amount in EUR</dt>")[1].split("</dd>")[0]
    assert "€100.00" in shown
    assert f"({LABEL})" in shown


def test_the_report_file_shows_the_rates_date_too(
    runtime, fake_plugins, ecb, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from disputeflow.cli import cli

    seed(runtime)
    rules = tmp_path / "rules.toml"
    rules.write_text('reporting_currency = "EUR"\n')
    monkeypatch.setenv("DISPUTEFLOW_RULES", str(rules))
    out = tmp_path / "report.html"
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    args = ["report", "--since", "2026-10-01", "--until", "2026-12-01", "--out", str(out)]
    result = CliRunner().invoke(cli, [*base, *args], obj=fake_plugins, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = out.read_text()
    usd = html.split('data-table="recovery_converted"')[1].split('<th scope="row">USD</th>')[1]
    assert LABEL in usd.split("</tr>")[0]
    assert "Net recovered, all in EUR<strong>€125.79</strong>" in html
    assert len(ecb.calls) == 1
