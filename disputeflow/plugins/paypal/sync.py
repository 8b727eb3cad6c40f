"""Polling: ``GET /v1/customer/disputes`` by update time, each dispute read in full.

The list filters on ``update_time_after`` (at most 180 days back, PayPal's default when
absent) and pages with ``page_size`` up to 50, following the ``next`` HATEOAS link
(https://developer.paypal.com/api/customer-disputes/v1/, "List disputes", checked
2026-12-04). A list item is a summary without transactions, response options or action
links, so each dispute is then read with ``GET /v1/customer/disputes/{id}`` and becomes the
same snapshot a webhook gives. The cursor is the newest ``update_time`` seen, saved after the
last page only (items come newest-created first, not in update order), and the next poll
starts a few minutes before it: PayPal's clock and ours need not agree, and a dispute seen
twice is merged once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from disputeflow import CaseSnapshot, MarketplaceError, SyncPage
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.plugins.paypal.api import PaypalApi
from disputeflow.plugins.paypal.disputes import text, to_snapshot

LIST_PATH = "/v1/customer/disputes"
PAGE_SIZE = "50"
OVERLAP = timedelta(minutes=5)
HORIZON = timedelta(days=179)  # update_time_after must be within the last 180 days
MAX_PAGES = 200


def list_params(cursor: str | None, now: datetime) -> dict[str, str]:
    """The first page's query: everything updated since the cursor (less the overlap)."""
    params = {"page_size": PAGE_SIZE}
    if cursor:
        since = max(parse_rfc3339(cursor) - OVERLAP, now - HORIZON)
        params["update_time_after"] = to_rfc3339(since.replace(microsecond=0))
    return params


def next_link(page: Mapping[str, Any], base_url: str) -> str | None:
    """The ``next`` link, when it points at PayPal's dispute list on the connection's host."""
    for link in page.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == "next" and text(link.get("href")):
            href = str(link["href"])
            target, base = urlsplit(href), urlsplit(base_url)
            same = (target.scheme, target.netloc) == (base.scheme, base.netloc)
            if same and target.path.rstrip("/") == LIST_PATH:
                return href
    return None


def _read(api: PaypalApi, platform: str, item: Any) -> CaseSnapshot | None:
    dispute_id = text(item.get("dispute_id")) if isinstance(item, Mapping) else None
    if dispute_id is None:
        return None
    try:
        detail = api.get(f"{LIST_PATH}/{quote(dispute_id, safe='')}")
    except MarketplaceError as error:
        if error.platform_status == 404:
            return None  # listed, then gone: nothing to show
        raise
    return to_snapshot(platform, detail)


def list_changes(api: PaypalApi, platform: str, cursor: str | None,
                 now: datetime) -> Iterator[SyncPage]:  # fmt: skip
    """Pages of disputes changed since ``cursor``; the last page carries the new cursor."""
    newest = parse_rfc3339(cursor) if cursor else None
    path, params = LIST_PATH, list_params(cursor, now)
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page = api.get(path, params) or {}
        snapshots = [s for s in (_read(api, platform, i) for i in page.get("items") or ()) if s]
        for snapshot in snapshots:
            newest = max(newest, snapshot.observed_at) if newest else snapshot.observed_at
        following = next_link(page, api.reads.base_url)
        if following is None or following in seen:
            yield SyncPage(snapshots, to_rfc3339(newest) if newest else None)
            return
        seen.add(following)
        yield SyncPage(snapshots, None)
        path, params = following, {}
    raise MarketplaceError(f"PayPal's dispute list has more than {MAX_PAGES} pages")
