"""Calling PayPal's REST APIs for one connection, through the core's PlatformClient.

Every call carries the app's access token (:mod:`disputeflow.plugins.paypal.oauth`); a 401
drops it and asks for a new one once, and a second 401 means the credentials are gone
(:class:`~disputeflow.ReauthorizationRequired`). Reads are retried on timeouts, 429 and 5xx
with backoff (PlatformClient); writes are not, because a write that timed out may have been
carried out: it goes back to the outbox as a transient failure, and the next attempt reads
the dispute before sending again. Writes carry ``PayPal-Request-Id`` with the action's
idempotency key (https://developer.paypal.com/api/rest/reference/idempotency/, checked
2026-12-04). Errors keep PayPal's ``name``, ``message`` and ``details[].issue``
(https://developer.paypal.com/api/rest/responses/, checked 2026-12-04), never a credential.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

from disputeflow import (
    Connection,
    MarketplaceError,
    PlatformClient,
    ReauthorizationRequired,
)
from disputeflow.plugins.paypal.oauth import TOKENS, TokenCache
from disputeflow.plugins.paypal.settings import api_base_url

TIMEOUT = 20.0


@dataclass(frozen=True)
class Upload:
    """One file sent in a multipart request."""

    filename: str
    content_type: str
    content: bytes


def paypal_error(response: requests.Response) -> str:
    """PayPal's own words for a failed call: ``name: message (issue, ...)``."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or str(response.reason)
    if not isinstance(body, dict):
        return str(body)[:300]
    issues = [str(d.get("issue")) for d in body.get("details") or () if isinstance(d, dict)][:5]
    words = ": ".join(str(body[k]) for k in ("name", "message") if body.get(k))
    words = words or str(body.get("error_description") or body.get("error") or "")
    return f"{words} ({', '.join(issues)})" if issues else words


class PaypalApi:
    """One connection's view of PayPal's REST APIs."""

    def __init__(
        self,
        connection: Connection,
        *,
        tokens: TokenCache = TOKENS,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        settings = connection.settings
        self.client_id = str(settings["client_id"])
        self.client_secret = str(settings["client_secret"])
        options: dict[str, Any] = {"timeout": TIMEOUT}
        if sleep is not None:
            options["sleep"] = sleep
        base = api_base_url(settings)
        self.reads = PlatformClient(base, retries=2, **options)
        self.writes = PlatformClient(base, retries=0, **options)
        self.tokens = tokens

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """``GET path``: PayPal's JSON answer."""
        return self._call(self.reads, "GET", path, params=params or {})

    def post(self, path: str, body: dict[str, Any], *, request_id: str | None = None) -> Any:
        """``POST path`` with a JSON body."""
        return self._call(self.writes, "POST", path, json=body, headers=_request_id(request_id))

    def post_multipart(
        self,
        path: str,
        data: dict[str, Any],
        uploads: Sequence[Upload],
        *,
        request_id: str | None = None,
    ) -> Any:
        """``POST path`` as ``multipart/form-data``: the JSON in the ``input`` part (with
        ``type=application/json``), each file in its own part, as PayPal's samples send it."""
        parts: list[tuple[str, tuple[str | None, bytes, str]]] = [
            ("input", (None, json.dumps(data).encode(), "application/json"))
        ]
        for number, upload in enumerate(uploads, start=1):
            parts.append((f"file{number}", (upload.filename, upload.content, upload.content_type)))
        return self._call(self.writes, "POST", path, files=parts, headers=_request_id(request_id))

    def _call(self, client: PlatformClient, method: str, path: str, **options: Any) -> Any:
        extra = dict(options.pop("headers", None) or {})
        for _attempt in range(2):
            token = self.tokens.token(self.reads, self.client_id, self.client_secret)
            headers = {**extra, "Authorization": f"Bearer {token}", "Accept": "application/json"}
            response = client.request(method, path, headers=headers, **options)
            if response.status_code != 401:
                return _answer(method, path, response)
            self.tokens.forget(self.reads, self.client_id, self.client_secret)
        raise ReauthorizationRequired(
            f"PayPal refused a fresh access token for {method} {path}", platform_status=401
        )


def _request_id(value: str | None) -> dict[str, str]:
    return {"PayPal-Request-Id": value[:108]} if value else {}


def _answer(method: str, path: str, response: requests.Response) -> Any:
    status = response.status_code
    if 300 <= status < 400:
        raise MarketplaceError(
            f"{method} {path}: HTTP {status} (PayPal redirects are not followed)",
            platform_status=status,
        )
    if status >= 400:
        raise MarketplaceError(
            f"{method} {path}: HTTP {status}: {paypal_error(response)}", platform_status=status
        )
    if not response.content:
        return {}
    try:
        return response.json(parse_float=Decimal)
    except ValueError:
        raise MarketplaceError(f"{method} {path}: PayPal answered something not JSON") from None
