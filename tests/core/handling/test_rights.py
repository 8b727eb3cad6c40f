"""Buyers' statutory rights: every country of the data, the effective window, the flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from disputeflow.features.handling.rights import (
    StorePolicy,
    all_rights,
    below_statutory_countries,
    evaluate,
    rights_for,
)
from tests.core.handling.test_rights_crossborder import CROSS_BORDER

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905
EEA = ["IS", "LI", "NO"]
# country -> (statutory withdrawal days or None, refund days or None, refund clock)
EXPECTED: dict[str, tuple[int | None, int | None, str | None]] = {
    **dict.fromkeys((*EU, *EEA, "GB"), (14, 14, "withdrawal")),
    "CH": (None, None, None),
    "CN": (7, 7, "goods_returned"),
    "KR": (7, 3, "goods_returned"),
    "JP": (8, None, None),
    "BR": (7, None, None),
    "AU": (None, None, None),
    "US": (None, None, None),
    "CA": (None, None, None),
    "SG": (None, None, None),
    "IN": (None, None, None),
    **{code: (row.days, *row.refund) for code, row in CROSS_BORDER.items()},
}
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def test_the_data_covers_exactly_the_listed_countries():
    assert len(EU) == 27
    assert len(EXPECTED) == 41 + 21
    assert set(all_rights()) == set(EXPECTED)


@pytest.mark.parametrize("country", sorted(EXPECTED))
def test_each_country_row(country):
    rights = rights_for(country)
    withdrawal, refund, clock = EXPECTED[country]
    assert rights is not None
    assert rights.country == country
    assert rights.name
    assert rights.law
    assert (rights.withdrawal_days, rights.refund_days, rights.refund_clock) == (
        withdrawal,
        refund,
        clock,
    )
    assert rights.sources, "every row names its legal source"
    assert all(source.startswith(("https://", "http://")) for source in rights.sources)
    assert rights.return_shipping
    if withdrawal is None:
        assert rights.notes, "where the law sets nothing, the row says so"
    if country in EU:
        assert rights.region == "EU"
        assert "2011/83/EU" in rights.law
        assert "custom_made" in rights.exceptions
    data = rights.to_dict()
    assert data["country"] == country
    assert data["sources"] == list(rights.sources)
    assert {e["id"] for e in data["exceptions"]} == set(rights.exceptions)


@pytest.mark.parametrize("country", sorted(EXPECTED))
@pytest.mark.parametrize("store_days", [0, 7, 30])
def test_effective_window_is_the_longer_of_store_and_law(country, store_days):
    evaluation = evaluate(country, StorePolicy(store_days, "settings"))
    statutory = rights_for(country).calendar_days(store_days)
    assert evaluation.statutory_window_days == statutory
    assert evaluation.effective_window_days == max(store_days, statutory or 0)
    assert evaluation.below_statutory == (statutory is not None and store_days < statutory)
    assert evaluation.jurisdiction == country
    assert evaluation.sources == rights_for(country).sources


def test_a_german_buyer_under_a_7_day_policy_gets_14_days_and_the_flag():
    evaluation = evaluate("DE", StorePolicy(7, "connection setting return_window_days"))
    assert (evaluation.store_window_days, evaluation.statutory_window_days) == (7, 14)
    assert evaluation.effective_window_days == 14
    assert evaluation.below_statutory is True
    assert "2011/83/EU" in evaluation.law


def test_a_us_buyer_gets_the_store_policy_of_7_days():
    evaluation = evaluate("US", StorePolicy(7, "settings"))
    assert evaluation.statutory_window_days is None
    assert evaluation.effective_window_days == 7
    assert evaluation.below_statutory is False


def test_a_chinese_buyer_gets_7_days_with_its_source():
    evaluation = evaluate("CN", StorePolicy(7, "settings"))
    assert (evaluation.statutory_window_days, evaluation.effective_window_days) == (7, 7)
    assert evaluation.below_statutory is False
    assert "Consumer Rights Protection Law, Article 25" in evaluation.law
    assert evaluation.sources[0] == rights_for("CN").sources[0]
    assert evaluation.to_dict()["sources"]


def test_japan_grants_8_days_only_without_a_stated_policy():
    assert evaluate("JP", None).effective_window_days == 8
    stated = evaluate("JP", StorePolicy(0, "no returns"))
    assert (stated.statutory_window_days, stated.effective_window_days) == (None, 0)
    assert stated.below_statutory is False


def test_no_policy_and_no_law_is_no_window():
    evaluation = evaluate("US", None)
    assert evaluation.effective_window_days is None
    assert evaluation.within_window is None


@pytest.mark.parametrize(
    ("days", "basis", "within", "within_statutory"),
    [
        (3, "order", True, True),
        (10, "order", True, True),
        (20, "order", None, None),  # delivery may have been later than the order
        (10, "delivery", True, True),
        (20, "delivery", False, False),
    ],
)
def test_within_the_window_counts_from_delivery_or_else_the_order(
    days, basis, within, within_statutory
):
    evaluation = evaluate(
        "DE",
        StorePolicy(7, "settings"),
        requested_at=NOW,
        clock_start=NOW - timedelta(days=days),
        clock_basis=basis,
    )
    assert evaluation.days_elapsed == days
    assert (evaluation.within_window, evaluation.within_statutory_window) == (
        within,
        within_statutory,
    )


def test_a_country_without_data_has_no_rights_and_keeps_the_store_policy():
    assert rights_for("ZZ") is None
    assert rights_for(None) is None
    evaluation = evaluate("ZZ", StorePolicy(30, "settings"))
    assert (evaluation.statutory_window_days, evaluation.effective_window_days) == (None, 30)


def test_countries_a_policy_falls_short_in():
    assert below_statutory_countries(None) == []
    seven = below_statutory_countries(7)
    assert set(seven) == {*EU, *EEA, "GB", "AR", "CL", "IL", "TR"}
    assert below_statutory_countries(14) == []
    assert "JP" not in below_statutory_countries(0)  # a stated policy, even "no returns"
    assert "CN" in below_statutory_countries(5)


def test_unverified_rows_say_so():
    assert rights_for("CH").verified is False
    assert rights_for("DE").verified is True
