"""Polling: orders modified since the cursor, then WooPayments disputes.

The cursor is JSON: ``{"orders": "<GMT time of the newest order seen>", "open": [ids of
disputes last seen open]}``. Orders are read oldest-modified first, a page at a time, and the
cursor moves with each page. WooPayments cannot list disputes by change, so each sync reads
the list (newest first, for ``DISPUTE_WINDOW``) and reads in full only disputes still open,
or open last time (to see them close); the first sync reads every one in the window. A plain
time given as ``--since`` is where the orders start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from disputeflow import CaseSnapshot, SyncPage
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.errors import InvalidInputError
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.disputes import (
    DISPUTES_PATH,
    LIST_PAGE_SIZE,
    dispute_snapshot,
    read_dispute,
)
from disputeflow.plugins.woocommerce.mapping import DEFAULT_RETURN_STATUSES, FINAL_DISPUTE_STATUSES
from disputeflow.plugins.woocommerce.returns import return_snapshot
from disputeflow.plugins.woocommerce.values import any_time, gmt_time

FIRST_SYNC_WINDOW = timedelta(days=90)  # a first sync reads the orders of the last 90 days
DISPUTE_WINDOW = timedelta(days=120)  # card networks settle disputes within about 120 days
OVERLAP = timedelta(seconds=1)  # modified_after is exclusive and WooCommerce counts seconds


@dataclass
class Cursor:
    orders: datetime | None = None
    open_disputes: set[str] | None = None  # None: disputes never listed yet
    pending: set[str] = field(default_factory=set)

    def encode(self) -> str:
        data: dict[str, Any] = {"orders": _stamp(self.orders)}
        if self.open_disputes is not None:
            data["open"] = sorted(self.open_disputes | self.pending)
        return json.dumps(data, sort_keys=True)


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None


def parse_cursor(text: str | None) -> Cursor:
    """A cursor this plugin wrote, or a plain time (``disputeflow sync --since``)."""
    if not text:
        return Cursor()
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        open_ids = data.get("open")
        return Cursor(
            orders=gmt_time(data.get("orders")),
            open_disputes=set(open_ids) if isinstance(open_ids, list) else None,
        )
    moment = gmt_time(text)
    if moment is None:
        try:
            moment = parse_rfc3339(text)
        except InvalidInputError:
            raise InvalidInputError(f"{text!r} is not a time to sync WooCommerce from") from None
    return Cursor(orders=moment)


def list_changes(
    client: WooClient, settings: Mapping[str, Any], cursor: str | None, now: datetime
) -> Iterator[SyncPage]:
    """Pages of return snapshots from changed orders, then of dispute snapshots."""
    state = parse_cursor(cursor)
    yield from _order_pages(client, settings, state, now)
    if settings.get("woopayments"):
        yield from _dispute_pages(client, state, now)


def _order_pages(
    client: WooClient, settings: Mapping[str, Any], state: Cursor, now: datetime
) -> Iterator[SyncPage]:
    since = (state.orders - OVERLAP) if state.orders else now - FIRST_SYNC_WINDOW
    params = {"modified_after": _stamp(since), "dates_are_gmt": "true",
              "orderby": "modified", "order": "asc"}  # fmt: skip
    statuses = settings.get("return_statuses") or DEFAULT_RETURN_STATUSES
    for orders in client.pages("orders", params):
        snapshots: list[CaseSnapshot] = []
        for order in orders:
            if not isinstance(order, Mapping):
                continue
            modified = gmt_time(order.get("date_modified_gmt"))
            if modified is not None and (state.orders is None or modified > state.orders):
                state.orders = modified
            snapshot = return_snapshot(order, statuses)
            if snapshot is not None:
                snapshots.append(snapshot)
        yield SyncPage(snapshots, state.encode())


def _dispute_pages(client: WooClient, state: Cursor, now: datetime) -> Iterator[SyncPage]:
    full = state.open_disputes is None
    state.pending = set(state.open_disputes or ())
    state.open_disputes = set()
    for entries in _dispute_list(client, now - DISPUTE_WINDOW):
        wanted = [e for e in entries if full or _wanted(e, state.pending)]
        snapshots = [_refresh(client, state, _id(entry)) for entry in wanted]
        state.pending -= {_id(entry) for entry in entries}
        yield SyncPage(snapshots, state.encode())
    if state.pending:  # open last time but older than the window: read them directly
        left = sorted(state.pending)
        state.pending = set()
        yield SyncPage([_refresh(client, state, ident) for ident in left], state.encode())


def _id(entry: Mapping[str, Any]) -> str:
    return str(entry.get("dispute_id") or entry.get("id"))


def _wanted(entry: Mapping[str, Any], pending: set[str]) -> bool:
    return entry.get("status") not in FINAL_DISPUTE_STATUSES or _id(entry) in pending


def _refresh(client: WooClient, state: Cursor, dispute_id: str) -> CaseSnapshot:
    dispute = read_dispute(client, dispute_id)
    assert state.open_disputes is not None
    if dispute.get("status") not in FINAL_DISPUTE_STATUSES:
        state.open_disputes.add(dispute_id)
    return dispute_snapshot(dispute)


def _dispute_list(client: WooClient, cutoff: datetime) -> Iterator[list[Mapping[str, Any]]]:
    """Pages of the dispute list, newest first, until disputes older than ``cutoff``."""
    for page in range(1, 1000):
        params = {"page": page, "pagesize": LIST_PAGE_SIZE, "sort": "created", "direction": "desc"}
        body = client.get_json(DISPUTES_PATH, params)
        data = body.get("data") if isinstance(body, Mapping) else None
        items = data if isinstance(data, list) else []
        entries = [entry for entry in items if isinstance(entry, Mapping)]
        recent = [e for e in entries if not _older(e, cutoff)]
        if recent:
            yield recent
        if len(entries) < LIST_PAGE_SIZE or len(recent) < len(entries):
            return


def _older(entry: Mapping[str, Any], cutoff: datetime) -> bool:
    created = any_time(entry.get("created"))
    return created is not None and created < cutoff
