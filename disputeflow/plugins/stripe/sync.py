"""Polling: the disputes list, and the early fraud warnings list, since the last sync.

Stripe filters both lists by ``created`` only (https://docs.stripe.com/api/disputes/list,
https://docs.stripe.com/api/radar/early_fraud_warnings/list; checked 2026-12-04), not by
the time an object last changed. So a sync reads every object created since the oldest one
that was still open at the last sync (or since the last sync, less an overlap for late
indexing), and yields those that are new or whose state moved since then: the cursor keeps
the state of each object of that window. The first sync reads everything (a backfill).
Lists come newest first, 100 at a time, ``starting_after`` the last id, with the disputed
charge expanded (``expand[]=data.charge``) so each snapshot can name its order and buyer.
Every object one sync reads is stamped with the sync's start: Stripe states nothing newer.

The cursor is JSON: ``{"since", "floor", "seen": {id: state}}`` between syncs, plus the
phase, the page position and the run's start while a sync is under way, so an interrupted
sync resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from disputeflow import CaseSnapshot, SyncPage
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.plugins.stripe.client import PAGE_SIZE, StripeClient
from disputeflow.plugins.stripe.disputes import snapshot_of
from disputeflow.plugins.stripe.mapping import OPEN

OVERLAP = timedelta(minutes=10)  # late indexing and clock skew
# (phase, list path, what is expanded)
PHASES: tuple[tuple[str, str, str], ...] = (
    ("disputes", "/v1/disputes", "data.charge"),
    ("warnings", "/v1/radar/early_fraud_warnings", "data.charge"),
)


def load_cursor(cursor: str | None) -> dict[str, Any]:
    """The cursor's state; an unreadable or empty cursor starts a full sync."""
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}
    return state if isinstance(state, dict) else {}


def list_changes(
    client: StripeClient, cursor: str | None, now: datetime, order_keys: Sequence[str]
) -> Iterator[SyncPage]:
    """Yield the pages of one sync (resuming an interrupted one)."""
    state = load_cursor(cursor)
    run = state.get("run") or {"started": to_rfc3339(now), "phase": 0, "after": None,
                               "seen": {}, "floor": None}  # fmt: skip
    state["run"] = run
    while run["phase"] < len(PHASES):
        snapshots, more = _page(client, state, run, order_keys)
        if not more:
            run["phase"], run["after"] = run["phase"] + 1, None
        if run["phase"] == len(PHASES):
            state = {"since": run["started"], "floor": run["floor"], "seen": run["seen"]}
        yield SyncPage(snapshots, json.dumps(state, sort_keys=True))


def lower_bound(state: Mapping[str, Any]) -> int | None:
    """The oldest ``created`` this sync reads (``None``: everything)."""
    if not state.get("since"):
        return None
    since = int((parse_rfc3339(state["since"]) - OVERLAP).timestamp())
    floor = state.get("floor")
    return min(since, floor) if isinstance(floor, int) else since


def _page(
    client: StripeClient, state: dict[str, Any], run: dict[str, Any], order_keys: Sequence[str]
) -> tuple[list[CaseSnapshot], bool]:
    """One page of the current phase; whether more pages follow."""
    _, path, expand = PHASES[run["phase"]]
    params = [("limit", str(PAGE_SIZE)), ("expand[]", expand)]
    lower = lower_bound(state)
    if lower is not None:
        params.append(("created[gte]", str(lower)))
    if run["after"]:
        params.append(("starting_after", run["after"]))
    page = client.get(path, params)
    items = [item for item in page.get("data") or () if isinstance(item, Mapping)]
    observed = parse_rfc3339(run["started"])
    snapshots = []
    for item in items:
        snapshot = snapshot_of(item, observed, order_keys)
        if snapshot is not None and _changed(state, run, item, snapshot):
            snapshots.append(snapshot)
    last = items[-1].get("id") if items else None
    run["after"] = last if isinstance(last, str) else None
    return snapshots, bool(page.get("has_more")) and run["after"] is not None


def _changed(
    state: Mapping[str, Any], run: dict[str, Any], item: Mapping[str, Any], snap: CaseSnapshot
) -> bool:
    """Record the object's state for the next sync (and the floor of what is still open);
    say whether it is new or moved since the last sync."""
    key = f"{snap.object_type}:{snap.external_id}"
    now_state = snap.platform_status or ""
    run["seen"][key] = now_state
    if now_state in OPEN or now_state == "actionable":
        created = item.get("created")
        if isinstance(created, int) and (run["floor"] is None or created < run["floor"]):
            run["floor"] = created
    return bool((state.get("seen") or {}).get(key) != now_state)
