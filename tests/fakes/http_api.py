"""The fake platform's HTTP API behind ``responses``: pages of changes, and actions.

Like a real platform it keeps only the newest version of each object.

* ``GET {base}/cases?since=CURSOR`` answers the objects whose ``updated_at`` is at or after
  the cursor (an RFC 3339 stamp; empty for everything), oldest first, ``page_size`` at a
  time. A page's ``next_cursor`` is the ``updated_at`` of its last object, so consecutive
  pages overlap by that object, as with the inclusive "updated since" filters of real
  platforms: polling is at-least-once and merging must be idempotent.
* ``POST {base}/{type}s/{id}/actions`` runs the next of :attr:`FakePlatformAPI.during_call`
  (what happens elsewhere while the platform works), then answers from ``script``
  (``(status, headers, body)`` replies, e.g. a 500 then a 429), then keeps one record per
  ``Idempotency-Key``: a repeated key answers the first record and creates nothing.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

from disputeflow.core.clock import to_rfc3339
from tests.builders import T0

BASE_URL = "https://fake.test"


@dataclass(frozen=True)
class ActionCall:
    """One action request the platform received."""

    object_type: str
    external_id: str
    idempotency_key: str | None
    body: dict[str, Any]


class FakePlatformAPI:
    """A stateful fake of the platform, registered on a ``responses`` mock."""

    def __init__(
        self, mock: responses.RequestsMock, *, base_url: str = BASE_URL, page_size: int = 100
    ) -> None:
        self.page_size = page_size
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.list_calls: list[str] = []
        self.action_calls: list[ActionCall] = []
        self.script: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        self.records: dict[str, dict[str, Any]] = {}
        self.during_call: list[Callable[[], object]] = []  # each runs inside one action call
        self._clock = itertools.count(1)
        mock.add_callback(responses.GET, f"{base_url}/cases", callback=self._list)
        actions = re.compile(rf"{re.escape(base_url)}/(dispute|return)s/([^/?]+)/actions")
        mock.add_callback(responses.POST, actions, callback=self._act)

    def put(self, external_id: str, type_: str = "dispute", **fields: Any) -> dict[str, Any]:
        """Create or change an object; each change gets a later ``updated_at`` by default."""
        previous = self.objects.get((type_, external_id), {})
        payload: dict[str, Any] = {
            "id": external_id,
            "type": type_,
            "status": "needs_response" if type_ == "dispute" else "requested",
            "reason": "fraudulent" if type_ == "dispute" else "changed_mind",
            "amount": "12.50" if type_ == "dispute" else "40.00",
            "currency": "EUR",
            "opened_at": to_rfc3339(T0),
            **previous,
            "updated_at": to_rfc3339(T0 + timedelta(seconds=next(self._clock))),
            **fields,
        }
        self.objects[(type_, external_id)] = payload
        return payload

    @property
    def refunds(self) -> list[dict[str, Any]]:
        """The refunds the platform issued (one per distinct idempotency key)."""
        return [record for record in self.records.values() if record["type"] == "refund"]

    def _list(self, request: Any) -> tuple[int, dict[str, str], str]:
        since = parse_qs(urlsplit(request.url).query).get("since", [""])[0]
        self.list_calls.append(since)
        changed = sorted(
            (obj for obj in self.objects.values() if obj["updated_at"] >= since),
            key=lambda obj: (obj["updated_at"], obj["type"], obj["id"]),
        )
        page = changed[: self.page_size]
        body = {
            "items": page,
            "next_cursor": page[-1]["updated_at"] if page else (since or None),
            "has_more": len(changed) > self.page_size,
        }
        return 200, {}, json.dumps(body)

    def _act(self, request: Any) -> tuple[int, dict[str, str], str]:
        match = re.search(r"/(dispute|return)s/([^/?]+)/actions", request.url)
        assert match is not None
        key = request.headers.get("Idempotency-Key")
        body = json.loads(request.body or b"{}")
        self.action_calls.append(ActionCall(match[1], match[2], key, body))
        if self.during_call:
            self.during_call.pop(0)()
        if self.script:
            status, headers, answer = self.script.pop(0)
            return status, headers, json.dumps(answer)
        if key is None:
            return 400, {}, json.dumps({"error": "Idempotency-Key required"})
        if key not in self.records:
            self.records[key] = {"id": f"{body['type']}-{len(self.records) + 1}", **body}
        return 200, {}, json.dumps({"id": self.records[key]["id"]})
