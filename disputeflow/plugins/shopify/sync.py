"""Polling: disputes and returns changed since the cursor, page by page.

Shopify has no "updated since" filter for disputes, so a sync reads disputes *initiated*
since the last sync, re-reads by id the disputes that were open at the last sync, and
yields those that are new or whose status moved (the cursor remembers each open dispute's
status). Returns come with the orders updated since the last sync. Every object seen in
one sync is stamped with the sync's start time: the platform states nothing newer.

The cursor is JSON: ``{"since", "open": {id: status}}`` between syncs, plus the phase,
the GraphQL page cursor and the run's start while a sync is under way, so an interrupted
sync resumes at its last page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from disputeflow import CaseSnapshot, SyncPage
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.plugins.shopify import disputes, queries, return_fetch, returns
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import gid

OPEN = frozenset({"needs_response", "under_review"})
OVERLAP = timedelta(minutes=10)  # late indexing and clock skew
FIRST_SYNC_RETURNS = timedelta(days=90)  # how far back a first sync looks for returns
DISPUTE_PAGE = 50
ORDER_PAGE = 5
PHASES = ("disputes", "known", "returns")


def load_cursor(cursor: str | None) -> dict[str, Any]:
    """The cursor's state; an unreadable or empty cursor starts a full sync."""
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}
    return state if isinstance(state, dict) else {}


def list_changes(client: ShopifyClient, cursor: str | None, now: datetime) -> Iterator[SyncPage]:
    """Yield the pages of one sync (resuming an interrupted one)."""
    state = load_cursor(cursor)
    run = state.get("run") or {"started": to_rfc3339(now), "phase": "disputes", "after": None,
                               "open": {}}  # fmt: skip
    state["run"] = run
    while run["phase"] in PHASES:
        snapshots, after = _PAGES[run["phase"]](client, state, run)
        run["after"] = after
        if after is None:
            run["phase"] = _next_phase(run["phase"])
        if run["phase"] == "done":
            state = {"since": run["started"], "open": run["open"]}
        yield SyncPage(snapshots, json.dumps(state, sort_keys=True))


def _next_phase(phase: str) -> str:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else "done"


def _since(state: dict[str, Any], fallback: timedelta | None, run: dict[str, Any]) -> str | None:
    """The lower bound of this sync's search (``None``: everything)."""
    if state.get("since"):
        return to_rfc3339(parse_rfc3339(state["since"]) - OVERLAP)
    if fallback is None:
        return None
    return to_rfc3339(parse_rfc3339(run["started"]) - fallback)


def _changed(state: dict[str, Any], run: dict[str, Any], plain: dict[str, Any]) -> bool:
    """Record an open dispute for the next sync; say whether it is worth a snapshot."""
    key, status = str(plain["id"]), plain.get("status")
    if status in OPEN:
        run["open"][key] = status
    return bool((state.get("open") or {}).get(key) != status)


def _dispute_page(
    client: ShopifyClient, state: dict[str, Any], run: dict[str, Any]
) -> tuple[list[CaseSnapshot], str | None]:
    since = _since(state, None, run)
    variables = {"first": DISPUTE_PAGE, "after": run["after"],
                 "query": f"initiated_at:>='{since}'" if since else None}  # fmt: skip
    page = client.graphql(queries.DISPUTES, variables).get("disputes") or {}
    observed = parse_rfc3339(run["started"])
    snapshots = []
    for node in page.get("nodes") or ():
        plain = disputes.from_graphql(node)
        run.setdefault("seen", []).append(str(plain["id"]))
        if _changed(state, run, plain):
            snapshots.append(disputes.snapshot(plain, observed))
    return snapshots, _next_cursor(page)


def _known_page(
    client: ShopifyClient, state: dict[str, Any], run: dict[str, Any]
) -> tuple[list[CaseSnapshot], str | None]:
    """The disputes open at the last sync that this sync has not seen yet, 50 at a time."""
    seen = set(run.get("seen") or ())
    pending = [key for key in sorted(state.get("open") or {}) if key not in seen]
    batch = pending[:DISPUTE_PAGE]
    observed = parse_rfc3339(run["started"])
    snapshots = []
    if batch:
        ids = [gid("ShopifyPaymentsDispute", key) for key in batch]
        nodes = client.graphql(queries.DISPUTES_BY_ID, {"ids": ids}).get("nodes") or []
        for node in nodes:
            if isinstance(node, dict) and node.get("id"):
                plain = disputes.from_graphql(node)
                if _changed(state, run, plain):
                    snapshots.append(disputes.snapshot(plain, observed))
    run["seen"] = sorted(seen | set(batch))
    return snapshots, ("more" if len(pending) > len(batch) else None)


def _returns_page(
    client: ShopifyClient, state: dict[str, Any], run: dict[str, Any]
) -> tuple[list[CaseSnapshot], str | None]:
    since = _since(state, FIRST_SYNC_RETURNS, run)
    variables = {"first": ORDER_PAGE, "after": run["after"],
                 "query": f"updated_at:>='{since}'"}  # fmt: skip
    page = return_fetch.orders_page(client, variables)
    observed = parse_rfc3339(run["started"])
    snapshots = [
        returns.snapshot(returns.from_graphql(node), observed)
        for order in page.get("nodes") or ()
        if isinstance(order, dict)
        for node in return_fetch.order_returns(client, order)
    ]
    return snapshots, _next_cursor(page)


def _next_cursor(page: dict[str, Any]) -> str | None:
    info = page.get("pageInfo") or {}
    return str(info["endCursor"]) if info.get("hasNextPage") and info.get("endCursor") else None


_PAGES = {"disputes": _dispute_page, "known": _known_page, "returns": _returns_page}
