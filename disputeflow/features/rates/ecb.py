"""The European Central Bank's euro foreign exchange reference rates, read and parsed.

The ECB publishes one file of the day's reference rates, "usually updated around 16:00 CET
on every working day, except on TARGET closing days" (ecb.europa.eu/stats/
policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html, checked
2026-12-04), at :data:`DAILY_URL`::

    <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
                     xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
      <gesmes:subject>Reference rates</gesmes:subject>
      <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
      <Cube>
        <Cube time='2010-04-20'>
          <Cube currency='USD' rate='1.3486'/>
          ...

Each rate is how many units of the currency one euro buys. The file is parsed with
defusedxml (no DTD, no entity), every rate read as a ``Decimal``, never a float; a file
without a date or a rate is refused, never half-used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from disputeflow.core.errors import MarketplaceError
from disputeflow.engine.http import PlatformClient

DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
EURO = "EUR"
_CODE = re.compile(r"^[A-Z]{3}$")


class RatesFileError(MarketplaceError):
    """The ECB answered something that is not its reference-rates file."""


@dataclass(frozen=True)
class ReferenceRates:
    """One day's reference rates: units of each currency per euro (the euro itself is 1)."""

    day: date
    per_euro: Mapping[str, Decimal]

    def rate(self, base: str, quote: str) -> Decimal | None:
        """Units of ``quote`` one unit of ``base`` is worth, crossed through the euro;
        ``None`` when the ECB does not publish either currency."""
        units = {**self.per_euro, EURO: Decimal(1)}
        base_units, quote_units = units.get(base.upper()), units.get(quote.upper())
        if base_units is None or quote_units is None:
            return None
        return quote_units / base_units


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def parse(body: bytes) -> ReferenceRates:
    """The rates of an ``eurofxref-daily.xml`` (the first day, if a file holds several)."""
    try:
        root = fromstring(body)
    except (ParseError, defusedxml.DefusedXmlException, ValueError) as error:
        raise RatesFileError(f"the ECB's rates file is not readable XML: {error}") from None
    day: date | None = None
    rates: dict[str, Decimal] = {}
    for cube in root.iter():
        if _local(cube) != "Cube":
            continue
        if cube.get("time") is not None:
            if day is not None:
                break  # a later (older) day of a history file
            day = _day(cube.get("time", ""))
        elif day is not None and cube.get("currency") is not None:
            code, rate = _rate(cube.get("currency", ""), cube.get("rate", ""))
            rates[code] = rate
    if day is None or not rates:
        raise RatesFileError("the ECB's rates file names no day or no rate")
    return ReferenceRates(day, rates)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RatesFileError(f"the ECB's rates file has a bad date {text!r}") from None


def _rate(code: str, text: str) -> tuple[str, Decimal]:
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        rate = Decimal(0)
    if not _CODE.match(code) or not rate.is_finite() or rate <= 0:
        raise RatesFileError(f"the ECB's rates file has a bad rate {code!r}={text!r}")
    return code, rate


def fetch(*, timeout: float, url: str = DAILY_URL) -> bytes:
    """The file as the ECB serves it now, tried once (the outbound guard applies, as to
    every platform call); raises ``MarketplaceError`` when it cannot be had."""
    client = PlatformClient(url, headers={"Accept": "application/xml"}, timeout=timeout, retries=0)
    try:
        response = client.request("GET", url)
    finally:
        client.session.close()
    if response.status_code != 200:
        raise MarketplaceError(
            f"GET {url}: HTTP {response.status_code}", platform_status=response.status_code
        )
    return response.content
