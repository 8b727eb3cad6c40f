"""Calling eBay's REST APIs for one connection, through the core's PlatformClient.

Every call carries ``Authorization`` and ``X-EBAY-C-MARKETPLACE-ID``: Post-Order takes the
user token as ``IAF <token>`` (integrators report ``Bearer`` gets a 401 there), the Sell
APIs as ``Bearer <token>``. A 401 drops the token and refreshes it once; 429 and 5xx are
retried by PlatformClient with backoff. JSON is read with ``Decimal`` numbers (Post-Order
amounts are JSON numbers; floats never touch money), and every answer carries the time eBay
gave it (its ``Date`` header), which is when the snapshot was observed.

Only reads are retried inside a call. eBay takes no idempotency key, so a POST that timed
out or got a 5xx may have been carried out: it goes back to the outbox as a transient
failure, and the action's next attempt reads the object before deciding to send it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

from disputeflow import Connection, MarketplaceError, PlatformClient
from disputeflow.plugins.ebay.httpsig import sign_request
from disputeflow.plugins.ebay.oauth import TokenStore
from disputeflow.plugins.ebay.settings import Hosts
from disputeflow.plugins.ebay.signing import KEY_PATH, SigningKeys, signs_for
from disputeflow.plugins.ebay.values import json_bytes


@dataclass(frozen=True)
class Answer:
    """eBay's JSON answer and when eBay gave it."""

    body: Any
    observed_at: datetime


def segment(value: str) -> str:
    """An id as one URL path segment (eBay's documented samples mask ids with ``*``)."""
    return quote(value, safe="")


def ebay_error(response: requests.Response) -> str:
    """eBay's own words: ``errors[].longMessage`` (ErrorDetailV3) or an OAuth error."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return response.text[:300] or str(response.reason)
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        parts = []
        for error in body["errors"][:5]:
            if isinstance(error, dict):
                words = error.get("longMessage") or error.get("message") or "error"
                parts.append(f"{error.get('errorId', '?')}: {words}")
        if parts:
            return "; ".join(parts)
    if isinstance(body, dict) and body.get("error"):
        return f"{body['error']}: {body.get('error_description', '')}".strip()
    return str(body)[:300]


def observed_at(response: requests.Response, clock: Callable[[], datetime]) -> datetime:
    """eBay's clock at the answer (``Date``), or ours when eBay sent none."""
    value = response.headers.get("Date")
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return clock()


class EbayApi:
    """The eBay APIs one connection may call, with its tokens and headers."""

    def __init__(
        self,
        connection: Connection,
        tokens: TokenStore,
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
        signing: SigningKeys | None = None,
    ) -> None:
        self.connection = connection
        self.hosts = Hosts.of(connection.settings)
        self.tokens = tokens
        self.signing = signing or SigningKeys()
        self.http = PlatformClient(self.hosts.api, sleep=sleep)
        self._once = PlatformClient(self.hosts.api, retries=0, sleep=sleep)
        self._clock = clock

    def __enter__(self) -> EbayApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections (each use of the API is one ``with`` block)."""
        self.http.session.close()
        self._once.session.close()

    def post_order(self, method: str, path: str, **kwargs: Any) -> Answer:
        """A Post-Order v2 call (``path`` after ``/post-order/v2/``)."""
        return self._call(method, f"{self.hosts.api}/post-order/v2/{path}", "IAF", **kwargs)

    def fulfillment(self, method: str, path: str, **kwargs: Any) -> Answer:
        """A Sell Fulfillment call on the payment-dispute host (``apiz``)."""
        url = f"{self.hosts.apiz}/sell/fulfillment/v1/{path}"
        return self._call(method, url, "Bearer", **kwargs)

    def sell(self, method: str, path: str, **kwargs: Any) -> Answer:
        """Another Sell API on the main host (``path`` after ``/sell/``: the Account API,
        Fulfillment orders and ``issue_refund``)."""
        return self._call(method, f"{self.hosts.api}/sell/{path}", "Bearer", **kwargs)

    def graphql(self, query: str, variables: dict[str, Any]) -> Answer:
        """An Order Inquiry API operation (GraphQL, ``POST /graphql``, ``Bearer`` user token).
        GraphQL answers 200 with ``errors`` for a refused operation: that is an error here."""
        url = f"{self.hosts.graphql}/graphql"
        answer = self._call("POST", url, "Bearer", json={"query": query, "variables": variables})
        errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
        if errors:
            words = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                              for e in errors[:3])  # fmt: skip
            raise MarketplaceError(f"POST {url}: {words}", transient=False, platform_status=200)
        return answer

    def _headers(self, method: str, url: str, body: bytes | None, signed: bool) -> dict[str, str]:
        headers = {
            "X-EBAY-C-MARKETPLACE-ID": str(self.connection.settings["marketplace_id"]),
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if signed and signs_for(self.connection.settings):
            key = self.signing.key_for(
                self.connection.settings,
                self.hosts.apiz,
                self.create_key,
                self.connection.credentials,
            )
            created = int(self._clock().timestamp())
            headers.update(sign_request(method, url, body, jwe=key.jwe,
                                        private_key=key.private_key, created=created))  # fmt: skip
        return headers

    def _call(
        self, method: str, url: str, scheme: str, *, signed: bool = False, **kwargs: Any
    ) -> Answer:
        body = json_bytes(kwargs.pop("json")) if "json" in kwargs else None
        if body is not None:
            kwargs["data"] = body
        headers = self._headers(method, url, body, signed)
        for attempt in (1, 2):
            token = self.tokens.user_token(self.http, self.connection)
            headers["Authorization"] = f"{scheme} {token}"
            client = self.http if method == "GET" else self._once
            response = client.request(method, url, headers=headers, **kwargs)
            if response.status_code == 401 and attempt == 1:
                self.tokens.forget_user(self.connection)
                continue
            return self._answer(method, url, response)
        raise AssertionError("unreachable")

    def _answer(self, method: str, url: str, response: requests.Response) -> Answer:
        if response.status_code >= 400:
            hint = " (refreshed once; authorise again)" if response.status_code == 401 else ""
            raise MarketplaceError(
                f"{method} {url}: HTTP {response.status_code}: {ebay_error(response)}{hint}",
                transient=False,
                platform_status=response.status_code,
            )
        body = json.loads(response.content, parse_float=Decimal) if response.content else None
        return Answer(body, observed_at(response, self._clock))

    def create_key(self) -> Any:
        """Key Management ``createSigningKey`` (ED25519) with an app token; eBay returns the
        private key this once (developer.ebay.com/api-docs/developer/key-management,
        checked 2026-12-04; supported in the sandbox)."""
        url = f"{self.hosts.apiz}{KEY_PATH}"
        token = self.tokens.app_token(self.http, self.connection.settings)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        response = self._once.request(
            "POST", url, headers=headers, data=json_bytes({"signingKeyCipher": "ED25519"})
        )
        if response.status_code >= 400:
            raise MarketplaceError(
                f"POST {url}: HTTP {response.status_code}: {ebay_error(response)}",
                transient=response.status_code >= 500,
                platform_status=response.status_code,
            )
        return json.loads(response.content)

    def public_key(self, kid: str) -> Any:
        """``GET commerce/notification/v1/public_key/{kid}`` with an app token (raises
        :class:`MarketplaceError`; the caller decides what a failure means)."""
        url = f"{self.hosts.api}/commerce/notification/v1/public_key/{segment(kid)}"
        token = self.tokens.app_token(self.http, self.connection.settings)
        response = self.http.request("GET", url, headers={"Authorization": f"Bearer {token}"})
        if response.status_code >= 400:
            raise MarketplaceError(
                f"GET {url}: HTTP {response.status_code}: {ebay_error(response)}",
                transient=response.status_code >= 500,
                platform_status=response.status_code,
            )
        return json.loads(response.content)
