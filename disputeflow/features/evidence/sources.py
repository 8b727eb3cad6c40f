"""What disputeflow itself holds toward a case's evidence, as catalogue items.

:func:`case_items` reads the case alone (the messages with the buyer, the buyer as the
platform named them); the built-in plugin answers ``disputeflow_collect_evidence`` with it.
:func:`held_items` reads the store: refunds already made on the order and on the cases
linked to it, the store's refund policy with the date it was read (when the platform states
it) and the buyer's statutory rights applied to this case.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.evidence import EvidenceItem
from disputeflow.engine import order_links, order_refunds
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.handling.rights import StorePolicy
from disputeflow.features.handling.store_policy import evaluate_return, store_policy_of

SOURCE = "disputeflow"
MESSAGE_LIMIT = 50  # the most recent messages; the bank reads a page, not an archive


def case_items(case: Case) -> list[EvidenceItem]:
    """The messages on the case and the buyer's name and e-mail as the platform gave them."""
    items = []
    messages = sorted(case.messages, key=lambda m: m.sent_at)[-MESSAGE_LIMIT:]
    if messages:
        lines = [f"{m.sent_at:%Y-%m-%d %H:%M} UTC, {m.party}: {m.body}" for m in messages]
        source = f"{SOURCE}: messages on the case"
        text = "\n".join(lines)
        items.append(EvidenceItem("buyer_messages", text, source, as_of=messages[-1].sent_at))
    buyer, named = case.buyer, f"{case.platform}: the case's buyer"
    if buyer is not None and buyer.name:
        items.append(EvidenceItem("customer_name", buyer.name, named))
    if buyer is not None and buyer.email:
        items.append(EvidenceItem("customer_email", buyer.email, named))
    return items


def _refund_lines(session: Session, case: Case) -> list[str]:
    lines = []
    if case.order is not None and case.order.external_id:
        refunds = order_refunds.for_order(session, case.connection_id, case.order.external_id)
        for refund in sorted(refunds, key=lambda r: r.refunded_at):
            note = f" ({refund.note})" if refund.note else ""
            lines.append(f"{refund.refunded_at:%Y-%m-%d}: {refund.amount} refunded on order "
                         f"{case.order.name or case.order.external_id}{note}")  # fmt: skip
    for other in order_links.linked_cases(session, case):
        if other.refunded is not None:
            lines.append(f"{other.refunded} refunded through the linked {other.platform} "
                         f"{other.kind} {other.external_id}")  # fmt: skip
    return lines


def earlier_refunds(session: Session, case: Case) -> list[EvidenceItem]:
    """Refunds on the order (every channel's, as recorded) and on the linked cases."""
    lines = _refund_lines(session, case)
    if not lines and case.refunded is not None:
        lines.append(f"{case.refunded} refunded on this {case.kind} ({case.platform})")
    if not lines:
        return []
    return [EvidenceItem("earlier_refunds", "\n".join(lines), f"{SOURCE}: refunds recorded")]


def refund_policy(row: ConnectionRow | None) -> list[EvidenceItem]:
    """The store's refund policy as the platform stated it when last read (its text when the
    platform gives one), dated by that reading; else the window the connection states."""
    policy = store_policy_of(row)
    if row is None or policy is None:
        return []
    stated = (row.return_policy or {}).get("text") or ""
    window = f"Returns accepted within {policy.window_days} days." if policy.window_days else ""
    text = "\n\n".join(part for part in (window, stated.strip()) if part)
    if not text:
        return []
    source = f"{policy.source} (read by disputeflow)"
    return [EvidenceItem("refund_policy", text, source, as_of=policy.checked_at)]


def statutory_rights(case: Case, store: StorePolicy | None) -> list[EvidenceItem]:
    """The buyer's statutory withdrawal right and the effective window applied to this case."""
    if case.buyer is None or not case.buyer.country:
        return []
    found = evaluate_return(case, store)
    if found.statutory_right is None:
        return []
    parts = [f"Buyer in {found.jurisdiction}: {found.law or 'statutory rights'}."]
    if found.statutory_window_days is not None:
        parts.append(f"Statutory withdrawal period: {found.statutory_window_days} days.")
    else:
        parts.append(f"Statutory withdrawal right: {found.statutory_right}.")
    if found.store_window_days is not None:
        parts.append(f"Store policy: {found.store_window_days} days.")
    if found.effective_window_days is not None:
        parts.append(f"Effective window: {found.effective_window_days} days.")
    if found.days_elapsed is not None:
        inside = {True: "inside", False: "outside", None: "not known to be inside"}
        where = inside[found.within_window]
        parts.append(
            f"The request came {found.days_elapsed} days after the {found.clock_basis}, "
            f"{where} that window."
        )
    source = "; ".join(found.sources) or "disputeflow rights data"
    return [EvidenceItem("statutory_rights", " ".join(parts), source)]


def held_items(session: Session, case: Case) -> list[EvidenceItem]:
    """Everything :mod:`disputeflow.engine` stores toward the case's evidence."""
    row = session.get(ConnectionRow, case.connection_id)
    items = earlier_refunds(session, case) + refund_policy(row)
    return items + statutory_rights(case, store_policy_of(row))
