"""The ``[fees]`` table of the rules file: each platform's dispute and counter fee.

::

    [fees]
    use_published_defaults = true     # Stripe's and PayPal's published US fees

    [fees.stripe]
    dispute_fee = "20.00 EUR"         # an amount and its currency, as text
    counter_fee = "20.00 EUR"
    counter_fee_returned_if_won = true

    [fees.connection."eu-shop"]       # one connection (its name or id): replaces the above

A platform table is complete in itself: a fee it leaves out is no fee. Problems are
reported like every other problem of the file, with their line.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from disputeflow.core.errors import DisputeflowError
from disputeflow.core.money import Money
from disputeflow.features.handling.fees import FeeSettings, PlatformFees


class _Section(Protocol):
    """What this reads of ``rules_file._Section`` (one table, its problems located)."""

    text: Any
    start: int | None
    where: str
    table: dict[str, Any]

    def problem(self, key: str, message: str) -> None: ...
    def only(self, *known: str) -> None: ...
    def flag(self, key: str, default: bool = False) -> bool: ...


AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([A-Za-z]{3})\s*$")
KEYS = (
    "dispute_fee",
    "counter_fee",
    "dispute_fee_returned_if_won",
    "counter_fee_returned_if_won",
)
PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _money(section: _Section, key: str) -> Money | None:
    value = section.table.get(key)
    if value is None:
        return None
    found = AMOUNT.match(value) if isinstance(value, str) else None
    if found is None:
        section.problem(key, f'write an amount and its currency as text, e.g. "15.00 USD" '
                             f"(got {value!r})")  # fmt: skip
        return None
    try:
        return Money(found[1], found[2])
    except DisputeflowError as error:
        section.problem(key, error.message)
        return None


def _platform(section: _Section) -> PlatformFees:
    section.only(*KEYS)
    return PlatformFees(
        dispute_fee=_money(section, "dispute_fee"),
        counter_fee=_money(section, "counter_fee"),
        dispute_fee_returned_if_won=section.flag("dispute_fee_returned_if_won", False),
        counter_fee_returned_if_won=section.flag("counter_fee_returned_if_won", True),
        source=f"rules file, [{section.where}]",
    )


def _table(section: _Section, *path: str) -> _Section:
    """The sub-table at ``path`` under ``[fees]``, located at its own header (the last
    part bare or quoted: ``[fees.connection.eu-shop]``, ``[fees.connection."eu-shop"]``)."""
    parents = [re.escape(part) for part in path[:-1]]
    start = section.start
    for last in (re.escape(path[-1]), re.escape(f'"{path[-1]}"')):
        line = section.text.header(r"\.".join(("fees", *parents, last)))
        if line is not None:
            start = line
            break
    value: object = section.table
    for part in path:
        value = value.get(part, {}) if isinstance(value, dict) else {}
    make: Any = type(section)  # rules_file._Section(text, start, where, value)
    found: _Section = make(section.text, start, ".".join((section.where, *path)), value)
    return found


def parse_fees(section: _Section) -> FeeSettings:
    """Every platform's and connection's fees, each problem located."""
    platforms: dict[str, PlatformFees] = {}
    connections: dict[str, PlatformFees] = {}
    for name, value in section.table.items():
        if name == "use_published_defaults":
            continue
        if name == "connection" and isinstance(value, dict):
            for key in value:
                connections[key] = _platform(_table(section, "connection", key))
            continue
        if not PLATFORM.match(name) or not isinstance(value, dict):
            section.problem(name, "write each platform's fees as a table, e.g. [fees.stripe]")
            continue
        platforms[name] = _platform(_table(section, name))
    return FeeSettings(
        platforms=platforms,
        connections=connections,
        defaults=section.flag("use_published_defaults", True),
    )
