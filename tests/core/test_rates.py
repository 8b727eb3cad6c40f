"""The built-in exchange-rate provider: the ECB's daily reference rates.

The ECB's file is ``tests/data/ecb_eurofxref_daily_2010-04-20.xml``: the
``eurofxref-daily.xml`` of 20 April 2010 as the ECB served it, kept unchanged by the
RubyMoney ``eu_central_bank`` gem as its test data (``spec/exchange_rates.xml``, commit
3f8ac514d477ac0f7ca23e6f28216527adbf7f48); the format is the one the ECB's page describes
(ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/
index.en.html, checked 2026-12-04). Cross rates are checked against figures worked out by
hand from the file (0.87650 GBP / 1.3486 USD = 0.649933 GBP per USD ...).
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import responses

from disputeflow import Money, hookimpl
from disputeflow.core.errors import MarketplaceError
from disputeflow.features.handling.priority import to_reporting
from disputeflow.features.handling.rules import Rules
from disputeflow.features.rates import plugin as rates_plugin
from disputeflow.features.rates.book import SAVED, RateBook
from disputeflow.features.rates.convert import Converter, hook_quote
from disputeflow.features.rates.ecb import DAILY_URL, RatesFileError, fetch, parse

ECB_FILE = (Path(__file__).parents[1] / "data" / "ecb_eurofxref_daily_2010-04-20.xml").read_bytes()
DAY = date(2010, 4, 20)
NOW = datetime(2010, 4, 21, 8, tzinfo=UTC)
SIX = Decimal("0.000001")


@pytest.fixture(autouse=True)
def empty_book():
    rates_plugin.BOOK.clear()
    yield
    rates_plugin.BOOK.clear()


@pytest.fixture
def ecb():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def clock():
    return [NOW]


@pytest.fixture
def book(clock):
    return RateBook(clock=lambda: clock[0])


# -- the file ---------------------------------------------------------------------------------


def test_the_ecb_file_is_read_exactly():
    rates = parse(ECB_FILE)
    assert rates.day == DAY
    assert len(rates.per_euro) == 34
    assert rates.per_euro["USD"] == Decimal("1.3486")
    assert rates.per_euro["GBP"] == Decimal("0.87650")
    assert rates.per_euro["IDR"] == Decimal("12141.23")
    assert all(isinstance(v, Decimal) for v in rates.per_euro.values())


def test_cross_rates_go_through_the_euro():
    rates = parse(ECB_FILE)
    assert rates.rate("EUR", "USD") == Decimal("1.3486")
    assert rates.rate("USD", "EUR").quantize(SIX) == Decimal("0.741510")
    assert rates.rate("USD", "GBP").quantize(SIX) == Decimal("0.649933")
    assert rates.rate("GBP", "JPY").quantize(SIX) == Decimal("142.977752")
    assert rates.rate("EUR", "EUR") == Decimal(1)
    assert rates.rate("USD", "XAU") is None, "a currency the ECB does not publish"
    assert rates.rate("CLP", "EUR") is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html>maintenance</html>",
        b"not xml",
        ECB_FILE.replace(b"time='2010-04-20'", b"time='yesterday'"),
        ECB_FILE.replace(b"rate='1.3486'", b"rate='0'"),
        ECB_FILE.replace(b"rate='1.3486'", b"rate='1,3486'"),
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    ],
)
def test_anything_else_is_refused(body):
    with pytest.raises(RatesFileError):
        parse(body)


def test_fetch_goes_through_the_platform_client(ecb):
    ecb.get(DAILY_URL, body=ECB_FILE, content_type="text/xml")
    assert fetch(timeout=3.0) == ECB_FILE
    ecb.replace(responses.GET, DAILY_URL, status=301, headers={"Location": "http://elsewhere/"})
    with pytest.raises(MarketplaceError, match="HTTP 301"):
        fetch(timeout=3.0)
    assert len(ecb.calls) == 2, "tried once each, no redirect followed"


# -- the book: cached a day, stale rather than nothing -----------------------------------------


def test_rates_are_fetched_once_a_day_and_saved_for_the_other_processes(ecb, book, clock, tmp_path):
    ecb.get(DAILY_URL, body=ECB_FILE)
    assert book.rate("USD", "EUR") is None, "nothing before a refresh"
    assert book.refresh(tmp_path, timeout=3.0).day == DAY
    assert book.rate("EUR", "USD") == Decimal("1.3486")
    assert (tmp_path / SAVED).read_bytes() == ECB_FILE
    clock[0] = NOW + timedelta(hours=23)
    book.refresh(tmp_path, timeout=3.0)
    assert len(ecb.calls) == 1, "a day's copy is not fetched again"

    other = RateBook(clock=lambda: clock[0])  # another process on the machine
    assert other.refresh(tmp_path, timeout=3.0).day == DAY
    assert len(ecb.calls) == 1, "it loads the saved copy"

    clock[0] = NOW + timedelta(days=1, minutes=1)
    book.refresh(tmp_path, timeout=3.0)
    assert len(ecb.calls) == 2, "a day later it is fetched again"


def test_an_unreachable_ecb_leaves_the_stale_rates_in_use(ecb, book, clock, tmp_path, caplog):
    ecb.get(DAILY_URL, body=ECB_FILE)
    book.refresh(tmp_path, timeout=3.0)
    clock[0] = NOW + timedelta(days=2)
    ecb.replace(responses.GET, DAILY_URL, status=503, body="down")
    with caplog.at_level(logging.WARNING, logger="disputeflow.features.rates.book"):
        assert book.refresh(tmp_path, timeout=3.0).day == DAY
    assert "still using those of 2010-04-20" in caplog.text
    assert book.rate("EUR", "USD") == Decimal("1.3486")
    clock[0] += timedelta(minutes=10)
    book.refresh(tmp_path, timeout=3.0)
    assert len(ecb.calls) == 2, "not asked again for 15 minutes"
    clock[0] += timedelta(minutes=6)
    book.refresh(tmp_path, timeout=3.0)
    assert len(ecb.calls) == 3


def test_a_fresh_process_takes_a_stale_saved_copy_over_nothing(ecb, clock, tmp_path, caplog):
    saved = tmp_path / SAVED
    saved.parent.mkdir(parents=True)
    saved.write_bytes(ECB_FILE)
    week_old = (NOW - timedelta(days=7)).timestamp()
    os.utime(saved, (week_old, week_old))
    ecb.get(DAILY_URL, status=500)
    book = RateBook(clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="disputeflow.features.rates.book"):
        assert book.refresh(tmp_path, timeout=3.0).day == DAY
    assert "still using those of 2010-04-20" in caplog.text
    assert saved.read_bytes() == ECB_FILE


def test_no_rates_at_all_is_said_and_converts_nothing(ecb, book, tmp_path, caplog):
    ecb.get(DAILY_URL, status=404)
    with caplog.at_level(logging.WARNING, logger="disputeflow.features.rates.book"):
        assert book.refresh(tmp_path, timeout=3.0) is None
    assert "amounts stay unconverted" in caplog.text
    assert book.rate("USD", "EUR") is None


# -- the hook: memory only, last in line --------------------------------------------------------


def test_the_hook_answers_from_memory_and_never_calls_out(plugin_manager, ecb):
    hook = plugin_manager.hook.disputeflow_exchange_rate
    assert hook(base="USD", quote="EUR") is None, "nothing loaded: no rate, no network call"
    assert len(ecb.calls) == 0
    rates_plugin.BOOK._rates = parse(ECB_FILE)  # as a refresh leaves it
    assert hook(base="USD", quote="GBP").quantize(SIX) == Decimal("0.649933")
    quote = hook_quote(plugin_manager, "USD", "EUR")
    assert quote.label == "ECB reference rate of 2010-04-20"


def test_any_plugin_replaces_the_ecb_and_the_rules_table_comes_first(plugin_manager):
    rates_plugin.BOOK._rates = parse(ECB_FILE)

    class Treasury:
        @hookimpl
        def disputeflow_exchange_rate(self, base, quote):
            return Decimal("0.9") if (base, quote) == ("USD", "EUR") else None

    plugin_manager.register(Treasury(), name="treasury")
    quote = hook_quote(plugin_manager, "USD", "EUR")
    assert (quote.rate, quote.label) == (Decimal("0.9"), "rate from plugin treasury")
    assert hook_quote(plugin_manager, "GBP", "EUR").label == "ECB reference rate of 2010-04-20"
    rules = Rules(reporting_currency="EUR", rates={"USD": Decimal("0.5")})
    assert to_reporting(Money("10.00", "USD"), rules, plugin_manager) == Money("5.00", "EUR")
    converted = Converter(rules, plugin_manager)(Money("10.00", "GBP"))
    assert converted.amount == Money("11.41", "EUR"), "10 / 0.87650, half-even"
    assert converted.label == "ECB reference rate of 2010-04-20"


def test_a_failing_rates_plugin_does_not_break_a_save(plugin_manager, caplog):
    rates_plugin.BOOK._rates = parse(ECB_FILE)

    class Broken:
        @hookimpl(tryfirst=True)
        def disputeflow_exchange_rate(self, base, quote):
            raise RuntimeError("treasury down")

    plugin_manager.register(Broken(), name="broken")
    rules = Rules(reporting_currency="EUR")
    with caplog.at_level(logging.ERROR):
        assert to_reporting(Money("13.49", "USD"), rules, plugin_manager) == Money("10.00", "EUR")
    assert "disputeflow_exchange_rate of plugin broken failed" in caplog.text


def test_housekeeping_fetches_only_with_a_reporting_currency(runtime, ecb):
    ecb.get(DAILY_URL, body=ECB_FILE)
    rates_plugin.disputeflow_housekeeping(runtime=runtime)
    assert len(ecb.calls) == 0, "nothing converts amounts: the ECB is not asked"
    runtime.rules = replace(runtime.rules, reporting_currency="EUR")
    rates_plugin.disputeflow_housekeeping(runtime=runtime)
    assert len(ecb.calls) == 1
    assert rates_plugin.BOOK.rates.day == DAY
    assert (runtime.settings.home / SAVED).is_file()
