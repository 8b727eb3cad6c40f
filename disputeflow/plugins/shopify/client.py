"""The Shopify Admin API (GraphQL and the REST endpoints still needed), via PlatformClient.

PlatformClient brings timeouts and retries of 429/5xx honouring ``Retry-After``; this
module adds Shopify's own limits: GraphQL's calculated query cost (``THROTTLED`` errors,
which may come with HTTP 200, and the ``extensions.cost.throttleStatus`` budget) and the
REST leaky bucket (``X-Shopify-Shop-Api-Call-Limit: 39/40``). Every failure is a
:class:`MarketplaceError` with Shopify's own words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from disputeflow import MarketplaceError, PlatformClient, error_message
from disputeflow.plugins.shopify.settings import admin_path, api_root
from disputeflow.plugins.shopify.tokens import TokenSource

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
THROTTLE_RETRIES = 3
MAX_THROTTLE_WAIT = 10.0
CALL_LIMIT = "X-Shopify-Shop-Api-Call-Limit"
TOKEN_HEADER = "X-Shopify-Access-Token"  # noqa: S105  (a header name)


class ShopifyUserError(MarketplaceError):
    """A mutation's ``userErrors``: Shopify refused the input (never retried)."""


class ShopifyClient:
    """One shop's Admin API, authenticated with the connection's access token.

    ``tokens`` renews an expiring token before it expires and once after a 401 ``Invalid
    API key or access token``; without it the settings' token is used as it is."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        *,
        sleep: Sleep = time.sleep,
        retries: int = 2,
        tokens: TokenSource | None = None,
        connection_id: str | None = None,
    ) -> None:
        if not settings.get("access_token") and not (tokens and tokens.renewable):
            raise MarketplaceError(
                "this Shopify connection has no access_token: install the app "
                "(/install/shopify) or set access_token for a custom app"
            )
        self.settings = settings
        self.connection_id = connection_id
        self._tokens = tokens
        self._sleep = sleep
        self.last_errors: list[Any] = []
        self.http = PlatformClient(
            api_root(settings), headers={"Accept": "application/json"}, retries=retries, sleep=sleep
        )

    def _token(self) -> str:
        return self._tokens.token() if self._tokens else str(self.settings["access_token"])

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One authenticated call; a renewable token refused with 401 is renewed and the
        call sent once more."""
        headers = {**kwargs.pop("headers", {}), TOKEN_HEADER: self._token()}
        response = self.http.request(method, path, headers=headers, **kwargs)
        if response.status_code == 401 and self._tokens and self._tokens.renewable:
            headers[TOKEN_HEADER] = self._tokens.renew()
            response = self.http.request(method, path, headers=headers, **kwargs)
        return response

    # -- GraphQL ----------------------------------------------------------------------

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of a GraphQL call; waits out ``THROTTLED`` a few times, then gives up
        with a transient error carrying the wait."""
        path = admin_path(self.settings, "graphql.json")
        for attempt in range(THROTTLE_RETRIES + 1):
            response = self.send("POST", path, json={"query": query, "variables": variables or {}})
            body = _json_body(response, "POST graphql.json")
            errors = body.get("errors")
            wait = _throttle_wait(body)
            if errors and _throttled(errors):
                if attempt < THROTTLE_RETRIES and wait <= MAX_THROTTLE_WAIT:
                    self._sleep(wait)
                    continue
                raise MarketplaceError(
                    "Shopify GraphQL: Throttled",
                    transient=True,
                    retry_after=wait,
                    platform_status=429,
                )
            data = body.get("data")
            if errors and not isinstance(data, dict):
                raise MarketplaceError(
                    f"Shopify GraphQL error: {_messages(errors)}",
                    platform_status=response.status_code,
                )
            self.last_errors = errors if isinstance(errors, list) else []
            if errors:  # a partial answer (a field denied): keep what came, say so once
                _report_partial(self.connection_id, errors)
            if wait > 0:  # the budget is spent: let it refill before the next call
                self._sleep(min(wait, MAX_THROTTLE_WAIT))
            return data if isinstance(data, dict) else {}
        raise AssertionError("unreachable")

    def mutate(self, query: str, variables: Mapping[str, Any], field: str) -> dict[str, Any]:
        """Run a mutation, return its payload; ``userErrors`` raise :class:`ShopifyUserError`."""
        payload = self.graphql(query, variables).get(field)
        if not isinstance(payload, dict):
            why = f": {_messages(self.last_errors)}" if self.last_errors else ""
            raise MarketplaceError(f"Shopify GraphQL: {field} answered nothing{why}")
        user_errors = payload.get("userErrors") or []
        if user_errors:
            raise ShopifyUserError(
                f"Shopify refused {field}: {_messages(user_errors)}", platform_status=422
            )
        return payload

    # -- REST ---------------------------------------------------------------------------

    def rest(self, method: str, path: str, **kwargs: Any) -> Any:
        """A REST Admin call (``path`` below ``/admin/api/{version}/``); JSON body of a 2xx."""
        response = self.send(method, admin_path(self.settings, path), **kwargs)
        self._respect_bucket(response)
        return _json_body(response, f"{method} {path}")

    def _respect_bucket(self, response: requests.Response) -> None:
        """Slow down when the leaky bucket is nearly full (Standard plans leak 2 calls/s)."""
        used, _, size = (response.headers.get(CALL_LIMIT) or "").partition("/")
        if (
            used.isascii()
            and size.isascii()
            and used.isdigit()
            and size.isdigit()
            and int(used) >= int(size) - 2
        ):
            self._sleep(1.0)


def _json_body(response: requests.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:  # a redirect is never followed: it is an error here
        hint = " (check access_token and scopes)" if response.status_code in (401, 403) else ""
        raise MarketplaceError(
            f"Shopify {what}: HTTP {response.status_code}: {error_message(response)}{hint}",
            platform_status=response.status_code,
        )
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        raise MarketplaceError(f"Shopify {what}: the answer is not JSON", transient=True) from None
    return body if isinstance(body, dict) else {"items": body}


_reported: set[tuple[str | None, str]] = set()


def _report_partial(connection_id: str | None, errors: list[Any]) -> None:
    """Log a partial GraphQL answer once per connection and kind of error (protected
    customer data denied to an app without Shopify's approval would repeat on every poll:
    shopify.dev ``apps/launch/protected-customer-data``, checked 2026-12-04)."""
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = str((extensions or {}).get("code") or "ERROR")
        path = ".".join(map(str, error.get("path") or ())) if isinstance(error, dict) else ""
        key = (connection_id, f"{code} {path}")
        if key in _reported:
            continue
        _reported.add(key)
        log.warning(
            "Shopify answered connection %s in part (%s at %s): %s; the rest is kept",
            connection_id or "?", code, path or "-", _messages([error]),
        )  # fmt: skip


def _throttled(errors: Any) -> bool:
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    )


def _throttle_wait(body: dict[str, Any]) -> float:
    """Seconds until the query's cost is available again (0 when it already is)."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        needed = float(cost.get("requestedQueryCost") or 0)
        available = float(status.get("currentlyAvailable", needed))
        rate = float(status.get("restoreRate") or 50)
    except (TypeError, ValueError):
        return 1.0
    return round(max(0.0, needed - available) / rate, 3) if rate > 0 else 1.0


def _messages(errors: Any) -> str:
    if isinstance(errors, list):
        parts = []
        for error in errors:
            if isinstance(error, dict):
                field = error.get("field")
                prefix = f"{'.'.join(map(str, field))}: " if isinstance(field, list) else ""
                parts.append(prefix + str(error.get("message") or error))
            else:
                parts.append(str(error))
        return "; ".join(parts)[:500]
    return str(errors)[:500]
