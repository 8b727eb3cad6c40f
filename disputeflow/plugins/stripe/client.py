"""The Stripe REST API through the core's PlatformClient: form-encoded requests, a pinned
API version, an ``Idempotency-Key`` on every write, and Stripe's errors in Stripe's words.

Requests go to ``https://api.stripe.com`` and file uploads to ``https://files.stripe.com``
(https://docs.stripe.com/api/files/create, checked 2026-12-04), or both to ``api_base_url``
when it is set (a proxy must route ``/v1/files`` onward; stripe-mock serves both). Every
request names ``Stripe-Version`` (the version of stripe-python 6c6e373, whose generated
models the plugin was checked against), so objects read by polling have the fields this
plugin reads whatever the account's default version is.

Errors (https://docs.stripe.com/api/errors, checked 2026-12-04): 401 means the key was
revoked or rolled (``ReauthorizationRequired``: the merchant must paste a new key); 403 a
restricted key without the permission; 409 a request racing another with the same key, and
429, 5xx and timeouts are transient (the core's PlatformClient retries them with backoff);
anything else is a final refusal, except the ``rate_limit`` code older versions sent with a
400. ``Stripe-Should-Retry`` decides where it is sent, as stripe-python's ``_should_retry``
does. The key never appears in an error: Stripe masks it itself, and any
echo is masked again here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import requests

from disputeflow import MarketplaceError, PlatformClient, ReauthorizationRequired

API_BASE = "https://api.stripe.com"
FILES_BASE = "https://files.stripe.com"
API_VERSION = "2026-06-24.dahlia"
USER_AGENT = "disputeflow-stripe"
PAGE_SIZE = 100  # the most a list returns (https://docs.stripe.com/api/pagination)

Params = Sequence[tuple[str, str]]

_HINTS = {
    401: "the API key was revoked or rolled: set a new restricted key (api_key)",
    403: "the restricted key lacks a permission this call needs (docs/platforms/stripe.md)",
    404: "no such object on this Stripe account (or in this mode, live or test)",
}


class StripeClient:
    """One connection's API: reads and writes retry timeouts, 429 and 5xx (every write carries
    an idempotency key, so Stripe answers a repeat with the first answer)."""

    def __init__(
        self, settings: Mapping[str, Any], *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.key = str(settings["api_key"])
        base = str(settings.get("api_base_url") or "").rstrip("/")
        headers = {
            "Authorization": f"Bearer {self.key}",
            "Stripe-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }
        self.api = PlatformClient(base or API_BASE, headers=headers, sleep=sleep)
        self.files = PlatformClient(base or FILES_BASE, headers=headers, sleep=sleep)

    def get(self, path: str, params: Params = ()) -> dict[str, Any]:
        return self._send(self.api, "GET", path, params=list(params))

    def post(self, path: str, data: Params, *, idempotency_key: str) -> dict[str, Any]:
        """A form-encoded POST; ``idempotency_key`` makes a repeat return the first answer."""
        headers = {"Idempotency-Key": idempotency_key}
        return self._send(self.api, "POST", path, data=list(data), headers=headers)

    def upload(
        self, filename: str, content: bytes, mimetype: str, *, purpose: str, idempotency_key: str
    ) -> dict[str, Any]:
        """``POST /v1/files`` (multipart) on the files host."""
        return self._send(
            self.files,
            "POST",
            "/v1/files",
            data={"purpose": purpose},
            files={"file": (filename, content, mimetype)},
            headers={"Idempotency-Key": idempotency_key},
        )

    def pages(self, path: str, params: Params) -> Any:
        """Every page of a list, oldest page last (``starting_after`` the last id)."""
        after: str | None = None
        while True:
            query = [*params, ("limit", str(PAGE_SIZE))]
            if after:
                query.append(("starting_after", after))
            page = self.get(path, query)
            items = page.get("data")
            if not isinstance(items, list):
                raise MarketplaceError(f"GET {path}: Stripe answered no list", transient=True)
            yield items
            last = items[-1].get("id") if items and isinstance(items[-1], Mapping) else None
            if not page.get("has_more") or not isinstance(last, str):
                return
            after = last

    def _send(
        self, client: PlatformClient, method: str, path: str, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = client.request(method, path, **kwargs)
        except MarketplaceError as error:
            raise MarketplaceError(
                self.mask(error.message),
                transient=error.transient,
                retry_after=error.retry_after,
                platform_status=error.platform_status,
            ) from None
        except requests.RequestException as error:  # anything the session raised otherwise
            raise MarketplaceError(self.mask(f"{method} {path}: {error}"), transient=True) from None
        if response.status_code >= 300:
            raise self.refusal(method, path, response)
        try:
            body = response.json()
        except ValueError:
            raise MarketplaceError(
                f"{method} {path}: Stripe answered no JSON", transient=True
            ) from None
        if not isinstance(body, dict):
            raise MarketplaceError(f"{method} {path}: Stripe answered no object", transient=True)
        return body

    def refusal(self, method: str, path: str, response: requests.Response) -> MarketplaceError:
        """Stripe's error object as the right MarketplaceError, in Stripe's own words."""
        status = response.status_code
        error = _error_object(response)
        said = str(error.get("message") or response.reason or "no message")
        code = str(error.get("code") or error.get("type") or f"http_{status}")
        text = self.mask(f"Stripe refused {method} {path} (HTTP {status}, {code}): {said}")
        if status in _HINTS:
            text += f" ({_HINTS[status]})"
        if status == 401:
            return ReauthorizationRequired(text, platform_status=status)
        should_retry = response.headers.get("Stripe-Should-Retry")
        if should_retry is not None:
            transient = should_retry == "true"
        else:  # a conflict, or the rate limit older API versions answered with 400
            transient = status == 409 or "rate_limit" in (error.get("code"), error.get("type"))
        return MarketplaceError(text, transient=transient, platform_status=status)

    def mask(self, text: str) -> str:
        """``text`` without the API key (all but its last four characters)."""
        return text.replace(self.key, f"{self.key[:3]}...{self.key[-4:]}") if self.key else text


def _error_object(response: requests.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}
