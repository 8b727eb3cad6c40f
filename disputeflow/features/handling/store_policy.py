"""The store's return policy per connection, and its evaluation against the buyer's law.

The policy comes from the marketplace (``Marketplace.return_policy``, read by the worker
and kept on the connection) when it offers one, else from the connection's generic
``return_window_days`` setting. A connection whose policy is shorter than some country's
statutory minimum says so, listing the countries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.errors import InvalidInputError
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.handling.rights import (
    PolicyEvaluation,
    StorePolicy,
    below_statutory_countries,
    evaluate,
)

SETTING = "return_window_days"


def store_policy_of(row: ConnectionRow | None) -> StorePolicy | None:
    """The connection's store policy: the marketplace's (as last read), else the setting."""
    if row is None:
        return None
    read = row.return_policy or {}
    checked = row.return_policy_checked_at
    if isinstance(read.get("window_days"), int):
        return StorePolicy(read["window_days"], str(read.get("source") or row.platform), checked)
    days = (row.settings or {}).get(SETTING)
    if isinstance(days, int) and not isinstance(days, bool):
        return StorePolicy(days, f"connection setting {SETTING}", checked, read.get("error"))
    return None


def connection_policy(row: ConnectionRow) -> dict[str, Any]:
    """What a connection shows of its policy: the window, its source, and the countries
    whose buyers the law gives more (``below_statutory_in``)."""
    policy = store_policy_of(row)
    read = getattr(row, "return_policy", None) or {}
    return {
        "store_window_days": policy.window_days if policy else None,
        "source": policy.source if policy else None,
        "checked_at": policy.to_dict()["checked_at"] if policy else None,
        "error": read.get("error"),
        "below_statutory_in": below_statutory_countries(policy.window_days if policy else None),
    }


def clock_start(case: Case) -> tuple[datetime | None, str | None]:
    """When the buyer's return window started: delivery (``extra["delivered_at"]``, as a
    plugin keeps it), else the order's date; and which of the two it is."""
    delivered = case.extra.get("delivered_at")
    if isinstance(delivered, str):
        try:
            return parse_rfc3339(delivered), "delivery"
        except InvalidInputError:
            pass
    if case.order is not None and case.order.placed_at is not None:
        return case.order.placed_at, "order"
    return None, None


def evaluate_return(case: Case, store: StorePolicy | None) -> PolicyEvaluation:
    """The return window of ``case``'s buyer, and whether the request falls inside it."""
    start, basis = clock_start(case)
    return evaluate(
        case.buyer.country if case.buyer else None,
        store,
        requested_at=case.opened_at,
        clock_start=start,
        clock_basis=basis,
    )
