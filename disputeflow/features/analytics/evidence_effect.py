"""The win rate with each evidence item in the packet sent, and without it.

Over closed disputes contested with an evidence packet through disputeflow (the contest
records which catalogue items went in: ``params["evidence_items"]``), for every item sent
in at least one of them: how those with the item in the packet ended, and those without.
A comparison, not a cause: disputes that have an item may differ in other ways, and few
disputes make a rate that means little (the counts stand beside it).
"""

from __future__ import annotations

from collections.abc import Sequence

from disputeflow.core.taxonomy import Outcome
from disputeflow.features.analytics.facts import CaseFact
from disputeflow.features.analytics.figures import Cell, Table, percent
from disputeflow.features.i18n.labels import N_

PRESENT, MISSING = N_("in the packet"), N_("not in the packet")
NOTE = N_(
    "Closed disputes contested with an evidence packet through disputeflow, by whether each "
    "item was in the packet sent. Win rate: won / (won + lost + partial). A comparison, not "
    "a cause: disputes with an item may differ in other ways, and a rate over few disputes "
    "means little."
)


def _row(item: str, label: str, members: Sequence[CaseFact]) -> tuple[Cell, ...]:
    won = sum(f.outcome is Outcome.MERCHANT_FAVOR for f in members)
    lost = sum(f.outcome is Outcome.BUYER_FAVOR for f in members)
    partial = sum(f.outcome is Outcome.PARTIAL for f in members)
    return (item, label, len(members), won, lost, partial, percent(won, won + lost + partial))


def evidence_table(facts: Sequence[CaseFact]) -> Table:
    """Per item sent in any packet: its disputes with the item and without it."""
    sent = [
        f for f in facts
        if f.is_dispute and f.outcome is not None and f.evidence_items is not None
    ]  # fmt: skip
    items = sorted({item for f in sent for item in f.evidence_items or ()})
    rows: list[tuple[Cell, ...]] = []
    for item in items:
        having = [f for f in sent if item in (f.evidence_items or ())]
        lacking = [f for f in sent if item not in (f.evidence_items or ())]
        rows += [_row(item, PRESENT, having), _row(item, MISSING, lacking)]
    columns = (N_("Evidence item"), N_("Packet"), N_("Disputes"), N_("Won"), N_("Lost"),
               N_("Partial"), N_("Win rate %"))  # fmt: skip
    return Table("outcomes_by_evidence", N_("Win rate by evidence item"), columns,
                 tuple(rows), NOTE, words={1: "label"})  # fmt: skip
