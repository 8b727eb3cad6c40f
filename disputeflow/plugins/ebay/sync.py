"""Polling, eBay's main feed: returns, inquiries, cases and payment disputes.

eBay's searches filter by creation date only, never by "changed since", and its JSON push
has no topic for these objects. So every sync lists what was created within
``sync_lookback_days`` (at most 90: the payment-dispute search's widest range), and the
cursor remembers a short digest of each search member it saw. Only members whose digest
changed are read in full (``GET`` one object) and become snapshots; the others cost one
search row. The cursor is ``v1.`` + base64url(zlib(JSON of per-feed digests)); it moves
after every page, so an interrupted sync resumes without re-reading what it already read.
``disputeflow sync --since 2026-01-01T00:00:00Z`` starts a window at that date instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from disputeflow import DisputeflowError, InvalidInputError, MarketplaceError, SyncPage
from disputeflow.core.clock import parse_rfc3339
from disputeflow.plugins.ebay.api import Answer, EbayApi
from disputeflow.plugins.ebay.objects import fetch
from disputeflow.plugins.ebay.values import dig, text

log = logging.getLogger(__name__)

CURSOR_PREFIX = "v1."


@dataclass(frozen=True)
class Feed:
    """One eBay search and how to page through it."""

    object_type: str
    api: str  # "post_order" or "fulfillment"
    path: str
    items: str
    id_field: str
    date_from: str
    date_to: str
    limit: int


FEEDS = (
    Feed("return", "post_order", "return/search", "members", "returnId",
         "creation_date_range_from", "creation_date_range_to", 50),
    Feed("inquiry", "post_order", "inquiry/search", "members", "inquiryId",
         "inquiry_creation_date_range_from", "inquiry_creation_date_range_to", 50),
    Feed("case", "post_order", "casemanagement/search", "members", "caseId",
         "case_creation_date_range_from", "case_creation_date_range_to", 50),
    Feed("cancellation", "post_order", "cancellation/search", "cancellations", "cancelId",
         "creation_date_range_from", "creation_date_range_to", 50),
    Feed("payment_dispute", "fulfillment", "payment_dispute_summary", "paymentDisputeSummaries",
         "paymentDisputeId", "open_date_from", "open_date_to", 200),
)  # fmt: skip

Seen = dict[str, dict[str, str]]  # object_type -> {object id: digest of its search member}


def encode_cursor(seen: Seen) -> str:
    packed = zlib.compress(json.dumps(seen, sort_keys=True, separators=(",", ":")).encode())
    return CURSOR_PREFIX + base64.urlsafe_b64encode(packed).decode()


def decode_cursor(cursor: str | None) -> tuple[Seen, datetime | None]:
    """``(digests seen, window start)`` from a cursor, an RFC 3339 date, or nothing."""
    if not cursor:
        return {}, None
    if not cursor.startswith(CURSOR_PREFIX):
        try:
            return {}, parse_rfc3339(cursor)
        except DisputeflowError:
            raise InvalidInputError(
                f"{cursor[:40]!r} is neither an eBay sync cursor nor an RFC 3339 date"
            ) from None
    try:
        seen = json.loads(zlib.decompress(base64.urlsafe_b64decode(cursor[len(CURSOR_PREFIX) :])))
    except (ValueError, zlib.error, binascii.Error):
        raise InvalidInputError("the eBay sync cursor is damaged; sync without it") from None
    if not isinstance(seen, dict):
        raise InvalidInputError("the eBay sync cursor is damaged; sync without it")
    return {str(k): dict(v) for k, v in seen.items() if isinstance(v, dict)}, None


def digest(member: Any) -> str:
    """A short fingerprint of a search member: what changed is read again."""
    canonical = json.dumps(member, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Poller:
    """One sync of one connection over every feed."""

    def __init__(self, api: EbayApi, clock: Callable[[], datetime]) -> None:
        self.api = api
        self.clock = clock

    def pages(self, cursor: str | None) -> Iterator[SyncPage]:
        seen, start = decode_cursor(cursor)
        now = self.clock()
        days = int(self.api.connection.settings.get("sync_lookback_days") or 90)
        window = max(start, now - timedelta(days=90)) if start else now - timedelta(days=days)
        for feed in FEEDS:
            previous = seen.get(feed.object_type, {})
            current: dict[str, str] = {}
            for snapshots in self._feed(feed, window, now, previous, current):
                seen[feed.object_type] = {**previous, **current}
                yield SyncPage(snapshots, encode_cursor(seen))
            seen[feed.object_type] = current  # objects that left the window are forgotten
        yield SyncPage([], encode_cursor(seen))

    def _search(self, feed: Feed, params: dict[str, Any]) -> Answer:
        if feed.api == "fulfillment":
            return self.api.fulfillment("GET", feed.path, params=params)
        return self.api.post_order("GET", feed.path, params=params)

    def _feed(
        self,
        feed: Feed,
        window: datetime,
        now: datetime,
        previous: dict[str, str],
        current: dict[str, str],
    ) -> Iterator[list[Any]]:
        offset = 0
        while True:
            params = {feed.date_from: _stamp(window), feed.date_to: _stamp(now),
                      "limit": feed.limit, "offset": offset}  # fmt: skip
            body = self._search(feed, params).body
            members = dig(body, feed.items)
            members = members if isinstance(members, list) else []
            yield self._changed(feed, members, previous, current)
            offset += feed.limit
            total = dig(body, "paginationOutput", "totalEntries") or dig(body, "total")
            if len(members) < feed.limit or (isinstance(total, int) and offset >= total):
                return

    def _changed(
        self,
        feed: Feed,
        members: list[Any],
        previous: dict[str, str],
        current: dict[str, str],
    ) -> list[Any]:
        snapshots = []
        for member in members:
            object_id = text(dig(member, feed.id_field))
            if object_id is None:
                continue
            fingerprint = digest(member)
            if previous.get(object_id) == fingerprint:
                current[object_id] = fingerprint
                continue
            try:
                snapshots.append(fetch(self.api, feed.object_type, object_id)[1])
            except MarketplaceError as error:
                if error.platform_status != 404:
                    raise
                log.warning("eBay %s %s vanished: %s", feed.object_type, object_id, error)
                continue
            current[object_id] = fingerprint
        return snapshots
