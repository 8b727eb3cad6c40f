"""Rights where cross-border buyers live: the RCEP members and the largest cross-border
destinations added to the table, each with what its law grants for a distance sale and the
source that says so; a sourced "none" told apart from "unknown"; business-day periods.

The expected figures are written here from the texts named in each row's sources (checked
2026-12-04), not read back from the data file: Mexico's LFPC Art. 56 (5 business days from
delivery or signature, whichever is later), Argentina's Ley 24.240 Art. 34 and CCyC Art.
1110 (10 calendar days), Chile's Ley 19.496 Art. 3 bis (10 days from receipt), Colombia's
Ley 1480 Art. 47 (5 business days, refund within 30 calendar days), Turkey's Law 6502 Art.
48 and Distance Contracts Regulation Art. 9 (14 days from receipt), Saudi Arabia's
E-Commerce Law Art. 13 (7 days from receipt), Israel's Consumer Protection Law s. 14C (14
days), South Africa's ECTA s. 44 (7 days, refund within 30 days), Taiwan's Consumer
Protection Act Art. 19 (7 days), Thailand's Direct Sales and Direct Marketing Act (7 days);
Hong Kong, New Zealand, the Philippines and the UAE: no general right (the regulator or
the legislature says so; for the UAE, Dubai's consumer protection authority and the
summaries of the 2023 Executive Regulations, checked 2026-12-05); Malaysia: no general
right (a "no refund" policy told before the purchase is valid, CPA 1999 s. 32), unverified
because the Direct Sales Act's 10 working days may reach some online sales; Vietnam: no
general right (Law 19/2023/QH15 Art. 38(3)(b) lets the buyer end a remote contract within 30
days only where the trader's information was inaccurate or incomplete; checked 2026-12-06),
unverified; Indonesia, Cambodia, Laos, Myanmar and Brunei: not confirmed in the sources found.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

import pytest

from disputeflow.features.handling.rights import (
    NONE,
    UNKNOWN,
    WITHDRAWAL,
    StorePolicy,
    _row,
    all_rights,
    below_statutory_countries,
    evaluate,
    rights_for,
)


class Expected(NamedTuple):
    right: str
    days: int | None  # in the law's own unit
    business_days: bool
    law: str  # words the law's name must contain
    clock: str | None  # a word of when the period starts
    source_host: str  # where the first source lives
    refund: tuple[int | None, str | None] = (None, None)
    exceptions: frozenset[str] = frozenset()


def ex(*ids: str) -> frozenset[str]:
    return frozenset(ids)


CROSS_BORDER: dict[str, Expected] = {
    # the largest cross-border destinations
    "MX": Expected(WITHDRAWAL, 5, True, "Article 56", "delivery", "juristas.mx"),
    "AR": Expected(
        WITHDRAWAL, 10, False, "Ley 24.240", "delivery", "codigocivilonline.com.ar",
        exceptions=ex("custom_made", "perishable"),
    ),
    "CL": Expected(
        WITHDRAWAL, 10, False, "Ley 19.496", "receipt", "www.sernac.cl",
        exceptions=ex("perishable", "custom_made", "sealed_hygiene"),
    ),
    "CO": Expected(
        WITHDRAWAL, 5, True, "Ley 1480", "delivery", "portofinocaribe.com", (30, "withdrawal"),
        ex("custom_made", "perishable", "personal_use", "services_started"),
    ),
    "TR": Expected(
        WITHDRAWAL, 14, False, "6502", "receives", "eb.clinic", (14, "goods_returned"),
        ex("custom_made", "perishable", "sealed_hygiene_unsealed"),
    ),
    "SA": Expected(WITHDRAWAL, 7, False, "E-Commerce Law", "receipt", "albarakatilaw.com",
                   exceptions=ex("custom_made")),
    "AE": Expected(NONE, None, False, "Cabinet Decision No. 66 of 2023", None, "gulfnews.com"),
    "IL": Expected(WITHDRAWAL, 14, False, "Section 14C", "receipt", "loc.gov"),
    "ZA": Expected(
        WITHDRAWAL, 7, False, "Act 25 of 2002", "receipt", "www.acts.co.za", (30, "withdrawal"),
        ex("custom_made", "sealed_media_unsealed", "auction"),
    ),
    "TW": Expected(
        WITHDRAWAL, 7, False, "Consumer Protection Act", "receipt", "law.moj.gov.tw",
        exceptions=ex("perishable", "custom_made", "sealed_hygiene_unsealed"),
    ),
    "HK": Expected(NONE, None, False, "Trade Descriptions Ordinance", None, "www.legco.gov.hk"),
    # the RCEP members not covered before
    "NZ": Expected(
        NONE, None, False, "Consumer Guarantees Act 1993", None, "www.consumerprotection.govt.nz"
    ),
    "PH": Expected(NONE, None, False, "Republic Act No. 7394", None, "mb.com.ph"),
    "TH": Expected(
        WITHDRAWAL, 7, False, "Direct Sales and Direct Marketing Act", "receipt",
        "www.thansettakij.com",
    ),
    "VN": Expected(NONE, None, False, "19/2023/QH15", None, "vi.wikisource.org"),
    "ID": Expected(UNKNOWN, None, False, "No. 80 of 2019", None, "pasal.id"),
    "MY": Expected(NONE, None, False, "Electronic Trade Transactions", None, "www.xklaw.com.my"),
    "KH": Expected(UNKNOWN, None, False, "Prakas 0113", None, "www.dfdl.com"),
    "LA": Expected(UNKNOWN, None, False, "No. 02/NA", None, "laotradeportal.gov.la"),
    "MM": Expected(UNKNOWN, None, False, "No. 9/2019", None, "fdokumen.com"),
    "BN": Expected(UNKNOWN, None, False, "Fair Trading", None, "www.deps.gov.bn"),
}  # fmt: skip
RCEP = {"AU", "BN", "KH", "CN", "ID", "JP", "LA", "MY", "MM", "NZ", "PH", "SG", "KR", "TH", "VN"}


def test_every_rcep_member_and_destination_is_covered():
    assert len(RCEP) == 15
    assert set(all_rights()) >= RCEP | set(CROSS_BORDER)
    assert len(all_rights()) == 62


@pytest.mark.parametrize("country", sorted(CROSS_BORDER))
def test_each_new_country_with_its_source(country):
    rights, expected = rights_for(country), CROSS_BORDER[country]
    assert rights is not None
    assert (rights.right, rights.withdrawal_days) == (expected.right, expected.days)
    assert rights.withdrawal_business_days is expected.business_days
    assert expected.law in rights.law
    assert (rights.refund_days, rights.refund_clock) == expected.refund
    assert expected.exceptions <= set(rights.exceptions)
    assert urlparse(rights.sources[0]).hostname == expected.source_host
    assert all(urlparse(source).scheme in ("http", "https") for source in rights.sources)
    if expected.right == WITHDRAWAL:
        assert expected.clock in rights.clock
        assert rights.window_days(None) == expected.days
    else:
        assert rights.window_days(None) is None
        assert rights.notes, "a 'none' or an 'unknown' says what was found"
    if expected.right == UNKNOWN:
        assert rights.notes.startswith(("Not confirmed", "A cooling-off right exists"))
        assert not rights.exceptions
    data = rights.to_dict()
    assert (data["right"], data["withdrawal_business_days"]) == (
        expected.right,
        expected.business_days,
    )


def test_a_known_none_is_not_an_unknown_nor_a_missing_country():
    assert evaluate("HK", None).statutory_right == NONE
    assert evaluate("LA", None).statutory_right == UNKNOWN
    assert evaluate("ZZ", None).statutory_right is None
    for country in ("HK", "LA", "ZZ"):
        evaluation = evaluate(country, StorePolicy(30, "settings"))
        assert (evaluation.statutory_window_days, evaluation.effective_window_days) == (None, 30)
        assert evaluation.below_statutory is False


def test_the_rows_checked_again_say_what_their_sources_found():
    """Checked 2026-12-05. The UAE: Dubai's consumer protection authority says a change of
    mind is no ground for a refund unless the store's policy gives one, and the summaries of
    the 2023 Executive Regulations name no withdrawal period. Malaysia: a 'no refund' policy
    told before the purchase is valid for goods of acceptable quality (CPA 1999 s. 32); the
    Direct Sales and Anti-Pyramid Scheme Act's ten working days (s. 2) cover direct sales,
    which include 'a sale through electronic transaction', so the row stays unverified."""
    uae, malaysia = rights_for("AE"), rights_for("MY")
    assert uae is not None
    assert malaysia is not None
    assert (uae.right, uae.verified) == (NONE, True)
    assert "change of mind is no accepted reason" in uae.notes
    assert "www.loc.gov" in {urlparse(source).hostname for source in uae.sources}
    assert (malaysia.right, malaysia.verified) == (NONE, False)
    assert "s. 32" in malaysia.notes
    assert "ten working days" in malaysia.notes
    assert "https://mylaw.my/legislation/act-1993-500/section-2" in malaysia.sources
    unknown = {code for code, rights in all_rights().items() if rights.right == UNKNOWN}
    assert unknown == {"ID", "KH", "LA", "MM", "BN"}
    assert evaluate("MY", StorePolicy(None, "settings")).statutory_right == NONE


def test_the_rows_checked_on_2026_12_06_say_what_their_sources_found():
    """Vietnam: Law 19/2023/QH15 Art. 38(3)(b) gives 30 days to end a remote contract only
    where the trader's Art. 37(1) information was inaccurate or incomplete, so no general
    right; unverified, as no source says so plainly and the 2025 E-commerce Law's text on
    returns was not read. Indonesia: a summary of GR 80/2019 names at least 2 working days
    to exchange or cancel, on a condition not found, so it stays unknown."""
    vietnam, indonesia = rights_for("VN"), rights_for("ID")
    assert vietnam is not None
    assert indonesia is not None
    assert (vietnam.right, vietnam.verified, vietnam.window_days(None)) == (NONE, False, None)
    assert "Art. 38(3)(b)" in vietnam.notes
    assert "within 30 days" in vietnam.notes
    assert "inaccurate or incomplete information" in vietnam.notes
    assert "122/2025/QH15" in vietnam.law
    assert vietnam.return_shipping == "no statutory rule: the store's own policy applies"
    assert evaluate("VN", StorePolicy(None, "settings")).statutory_right == NONE
    assert indonesia.right == UNKNOWN
    assert "at least 2 working days" in indonesia.notes
    assert "www.legalroom.co.id" in {urlparse(source).hostname for source in indonesia.sources}


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "delivered", "last_day"),
    [
        # Mon 21 Dec 2026 + 5 business days, Christmas (25 Dec) a Mexican holiday: Tue 29
        ("MX", date(2026, 12, 21), date(2026, 12, 29)),
        # Fri 4 Dec 2026 + 5 business days, 8 Dec (Inmaculada) a Colombian holiday: Mon 14
        ("CO", date(2026, 12, 4), date(2026, 12, 14)),
        # no holiday in the way: Wed 4 Nov 2026 + 5 business days is Wed 11 Nov
        ("MX", date(2026, 11, 4), date(2026, 11, 11)),
    ],
)
def test_business_days_are_counted_on_the_buyers_calendar(country, delivered, last_day):
    def within(requested: date):
        return evaluate(
            country,
            StorePolicy(3, "settings"),
            requested_at=at(requested),
            clock_start=at(delivered),
            clock_basis="delivery",
        )

    inside = within(last_day)
    assert inside.statutory_business_days == 5
    assert inside.statutory_window_days == (last_day - delivered).days
    assert inside.within_statutory_window is True
    assert inside.below_statutory is True
    outside = within(date.fromordinal(last_day.toordinal() + 1))
    assert outside.within_statutory_window is False


def test_without_a_date_five_business_days_are_a_calendar_week():
    assert evaluate("MX", StorePolicy(7, "settings")).below_statutory is False
    assert evaluate("MX", StorePolicy(6, "settings")).below_statutory is True
    assert evaluate("MX", None).statutory_business_days == 5
    assert evaluate("AR", None).statutory_business_days is None
    assert {"MX", "CO"} <= set(below_statutory_countries(6))
    assert {"AR", "CL", "TR", "IL"} <= set(below_statutory_countries(7))
    assert not {"MX", "CO", "SA", "ZA", "TW", "TH", "HK", "VN"} & set(below_statutory_countries(7))


REGIMES = {"national": {"region": "", "law": "", "return_shipping": "store"}}


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"right": "none", "withdrawal_days": 7}, "withdrawal_days goes with"),
        ({"right": "withdrawal"}, "withdrawal_days goes with"),
        ({}, "right must be one of"),
        ({"right": "maybe"}, "right must be one of"),
        ({"right": "none", "sources": []}, "names its sources"),
    ],
)
def test_a_row_must_say_what_the_law_does_and_where_it_says_so(row, error):
    values = {"regime": "national", "name": "Somewhere", "sources": ["https://example.org/law"]}
    with pytest.raises(ValueError, match=error):
        _row("XX", {**values, **row}, REGIMES)
    assert _row("XX", {**values, "right": "none"}, REGIMES).right == NONE
    assert _row("XX", {**values, "withdrawal_days": 7}, REGIMES).right == WITHDRAWAL


DOC = Path(__file__).parents[3] / "docs" / "handling.md"
LABELS = {NONE: "none (sourced)", UNKNOWN: "unknown (not confirmed)"}


def test_the_documented_table_says_what_the_data_says():
    section = DOC.read_text().split("## Buyers' statutory rights", 1)[1].split("\n## ", 1)[0]
    assert f"{len(all_rights())} in all" in section
    rows = re.findall(r"^\| ([^|]+) \| ([^|]+) \|$", section, re.MULTILINE)[2:]
    for code, rights in all_rights().items():
        if rights.region in ("EU", "EEA"):
            continue
        label = LABELS.get(rights.right, rights.describe())
        cells = [cell for name, cell in rows if name.startswith(label)]
        assert len(cells) == 1, (code, label)
        assert rights.name in cells[0], (code, label)
