"""Money recovered in every currency, converted into the reporting currency and summed.

Shown only when the rules file names a ``reporting_currency``; the per-currency figures
stay as they are (:func:`.figures.recovery`). Each converted figure carries the rate's
label beside it (``ECB reference rate of 2026-12-03``), and a total is given only when
every currency could be converted: a sum that silently leaves a currency out is not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from disputeflow.core.money import Money
from disputeflow.features.analytics.figures import Cell, Recovery, Table
from disputeflow.features.rates.convert import Converted

Convert = Callable[[Money], Converted | None]
PARTS = ("disputed", "recovered", "fees", "net")


@dataclass(frozen=True)
class ConvertedRow:
    """One currency's recovery in the reporting currency, and the rate used."""

    original: str
    disputed: Money
    recovered: Money
    fees: Money
    net: Money
    label: str


@dataclass(frozen=True)
class ConvertedRecovery:
    """Every currency's recovery in ``currency``; ``total`` unless one could not convert."""

    currency: str
    rows: tuple[ConvertedRow, ...]
    missing: tuple[str, ...]

    @property
    def total(self) -> ConvertedRow | None:
        if self.missing or not self.rows:
            return None
        sums = {p: sum((getattr(r, p) for r in self.rows), Money.zero(self.currency))
                for p in PARTS}  # fmt: skip
        labels = sorted({r.label for r in self.rows if r.label})
        return ConvertedRow("All currencies", **sums, label="; ".join(labels))


def convert_recovery(
    recovery: Sequence[Recovery], convert: Convert, currency: str
) -> ConvertedRecovery:
    """Each currency's figures converted at the same rate (net = recovered - fees, as
    converted)."""
    rows, missing = [], []
    for item in recovery:
        parts = {p: convert(getattr(item, p)) for p in ("disputed", "recovered", "fees")}
        done = {p: c for p, c in parts.items() if c is not None}
        if len(done) != len(parts):
            missing.append(item.currency)
            continue
        rows.append(
            ConvertedRow(
                original=item.currency,
                disputed=done["disputed"].amount,
                recovered=done["recovered"].amount,
                fees=done["fees"].amount,
                net=done["recovered"].amount - done["fees"].amount,
                label=done["disputed"].label,
            )
        )
    return ConvertedRecovery(currency, tuple(rows), tuple(missing))


def converted_table(found: ConvertedRecovery) -> Table:
    """The converted figures as a table, each row with the rate it was converted at."""
    rows: list[tuple[Cell, ...]] = []
    for row in (*found.rows, *((found.total,) if found.total else ())):
        values = (row.disputed.value, row.recovered.value, row.fees.value, row.net.value)
        rows.append((row.original, *values, row.label or "no conversion needed"))
    note = (
        f"Each currency's figures in {found.currency}, at the rate named beside them "
        "(for comparison only: refunds stay in the order's currency)."
    )
    if found.missing:
        note += (
            f" No rate is known for {', '.join(found.missing)}: those figures are left out "
            "and no total is given."
        )
    columns = (
        "From",
        f"Disputed ({found.currency})",
        f"Recovered ({found.currency})",
        f"Fees ({found.currency})",
        f"Net recovered ({found.currency})",
        "Converted at",
    )
    title = f"Money recovered, in {found.currency}"
    return Table("recovery_converted", title, columns, tuple(rows), note)
