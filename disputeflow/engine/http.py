"""Calling a platform's API the same careful way from every plugin.

:class:`PlatformClient` wraps a ``requests.Session``: a timeout on every call, retries of
timeouts, connection errors, 429 and 5xx with exponential backoff that honours
``Retry-After`` (capped, so an action never sleeps for an hour inside a worker), and one
error type at the end: :class:`~disputeflow.core.errors.MarketplaceError`, ``transient``
when a later retry may succeed, with the platform's own message when it gave one.

Redirects are never followed (a 3xx is an answer, and an error where JSON was expected),
and every connection is checked against internal addresses on the peer it reached
(:mod:`disputeflow.engine.outbound`): a platform URL cannot be turned against the service's
own network.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from disputeflow.core.errors import MarketplaceError
from disputeflow.engine import outbound

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds, from a number or an HTTP date; ``None`` when absent or bad."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_message(response: requests.Response) -> str:
    """The platform's own words for a failed call, as far as its body says."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason or str(response.status_code)
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "errors", "detail"):
            if body.get(key):
                return str(body[key])[:500]
    return str(body)[:500]


# Failures of the connection or of an answer cut short (fewer bytes than its
# Content-Length, a broken chunk): the platform may answer the next attempt.
TRANSPORT_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class PlatformClient:
    """A session for one platform connection, with timeouts and retries built in.

    ``retries`` is how many times a transient failure is tried again within one call;
    ``max_wait`` caps a single wait (longer ``Retry-After`` values end the call with a
    transient error carrying ``retry_after``, and the outbox schedules the retry).
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 15.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_wait: float = 10.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = outbound.guard(session or requests.Session())
        self.session.headers.update(headers or {})
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep

    def url(self, path: str) -> str:
        """An absolute URL for ``path`` (absolute URLs pass through)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send with retries; return a 2xx/3xx/4xx (non-429) response, or raise.

        A 3xx is returned as it is: redirects are never followed."""
        kwargs.setdefault("timeout", self.timeout)
        kwargs["allow_redirects"] = False
        url = self.url(path)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.session.request(method, url, **kwargs)
            except TRANSPORT_ERRORS as error:
                if last:
                    raise MarketplaceError(f"{method} {url}: {error}", transient=True) from None
                self._wait(attempt, None)
                continue
            except requests.RequestException as error:  # a URL or request that cannot be sent
                raise MarketplaceError(f"{method} {url}: {error}", transient=False) from None
            if response.status_code not in RETRY_STATUSES:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if last or (wait is not None and wait > self.max_wait):
                raise MarketplaceError(
                    f"{method} {url}: HTTP {response.status_code}: {error_message(response)}",
                    transient=True,
                    retry_after=wait,
                    platform_status=response.status_code,
                )
            self._wait(attempt, wait)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send and return the JSON body of a 2xx answer; a 4xx is a permanent error."""
        response = self.request(method, path, **kwargs)
        if 300 <= response.status_code < 400:
            raise MarketplaceError(
                f"{method} {self.url(path)}: HTTP {response.status_code} redirect to "
                f"{response.headers.get('Location', '(none)')!r} (redirects are not followed)",
                transient=False,
                platform_status=response.status_code,
            )
        if response.status_code >= 400:
            raise MarketplaceError(
                f"{method} {self.url(path)}: HTTP {response.status_code}: "
                f"{error_message(response)}",
                transient=False,
                platform_status=response.status_code,
            )
        if not response.content:
            return None
        return response.json()

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = min(retry_after, self.max_wait)
        else:
            jitter = random.uniform(0.8, 1.2)  # noqa: S311  (spreading retries, not secrets)
            delay = min(self.backoff * 2**attempt, self.max_wait) * jitter
        log.info("platform call retry in %.2fs", delay)
        self._sleep(delay)
