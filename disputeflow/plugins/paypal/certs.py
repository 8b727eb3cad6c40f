"""PayPal's signing certificates: where they may come from, fetched rarely, kept a day.

A delivery names its certificate in ``PAYPAL-CERT-URL``, and anyone can post a delivery, so
the URL decides nothing until it is checked: HTTPS, one of PayPal's API hosts for the
connection's environment, PayPal's certificate path, nothing else (no port, user, query or
fragment). Only then is it fetched, at most :data:`FETCHES_PER_MINUTE` times a minute for
the whole process, and the answer (a certificate, or a refusal such as a 404) is kept, so
a stream of forged deliveries costs PayPal nothing and reaches no other host.

Hosts: PayPal's API hosts (https://developer.paypal.com/api/rest/requests/) and the
``api.sandbox.paypal.com/v1/notifications/certs/CERT-...`` URLs PayPal's own SDK samples show
(PayPal-PHP-SDK ``sample/notifications/ValidateWebhookEvent.php``); checked 2026-12-04.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography import x509

from disputeflow import SignatureError
from disputeflow.core.clock import utcnow
from disputeflow.plugins.paypal.settings import LIVE, SANDBOX
from disputeflow.plugins.paypal.signatures import load_certificate

CERT_HOSTS = {
    SANDBOX: frozenset({"api.sandbox.paypal.com", "api-m.sandbox.paypal.com"}),
    LIVE: frozenset({"api.paypal.com", "api-m.paypal.com"}),
}
CERT_PATH = "/v1/notifications/certs/"
MAX_URL = 500  # verify-webhook-signature's cert_url is at most 500 characters
MAX_CERT_BYTES = 16 * 1024
CERT_TTL = timedelta(hours=24)
REFUSED_TTL = timedelta(minutes=30)
FETCHES_PER_MINUTE = 6
MAX_ENTRIES = 64


class CertificateUnavailable(Exception):
    """The certificate could not be had just now (a timeout, PayPal's 5xx, our own limit):
    the signature is neither good nor bad yet."""


def check_url(url: str | None, environment: str) -> str:
    """``url`` when it is a PayPal certificate URL for ``environment``; else ``SignatureError``."""
    if not url or len(url) > MAX_URL:
        raise SignatureError("PAYPAL-CERT-URL is missing or too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SignatureError("PAYPAL-CERT-URL is not a URL") from None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme != "https"
        or host not in CERT_HOSTS.get(environment, frozenset())
        or port not in (None, 443)
        or parts.username is not None
        or parts.query
        or parts.fragment
        or not parts.path.startswith(CERT_PATH)
        or ".." in parts.path
    ):
        raise SignatureError("PAYPAL-CERT-URL is not one of PayPal's certificate URLs")
    return url


@dataclass(frozen=True)
class _Entry:
    certificate: x509.Certificate | None  # None: PayPal refused this URL
    until: datetime


class RateLimit:
    """At most ``per_minute`` events in any sliding minute (one process, all threads)."""

    def __init__(self, per_minute: int, clock: Callable[[], datetime] = utcnow) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._times: deque[datetime] = deque()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one event; ``False`` when the minute's budget is spent."""
        now = self.clock()
        with self._lock:
            while self._times and now - self._times[0] >= timedelta(minutes=1):
                self._times.popleft()
            if len(self._times) >= self.per_minute:
                return False
            self._times.append(now)
            return True


class CertificateCache:
    """Certificates by URL; ``fetch`` returns the PEM bytes, raises ``SignatureError`` when
    PayPal refused the URL and ``CertificateUnavailable`` when it could not answer."""

    def __init__(
        self,
        fetch: Callable[[str], bytes],
        *,
        clock: Callable[[], datetime] = utcnow,
        per_minute: int = FETCHES_PER_MINUTE,
    ) -> None:
        self.fetch = fetch
        self.clock = clock
        self.limit = RateLimit(per_minute, clock)
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def certificate(self, url: str) -> x509.Certificate:
        """The certificate at ``url`` (a checked URL), from the cache when it is there."""
        entry = self._cached(url)
        if entry is None:
            entry = self._load(url)
        if entry.certificate is None:
            raise SignatureError("PayPal has no certificate at PAYPAL-CERT-URL")
        return entry.certificate

    def _cached(self, url: str) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is None or entry.until <= self.clock():
                return None
            self._entries.move_to_end(url)
            return entry

    def _load(self, url: str) -> _Entry:
        if not self.limit.take():
            raise CertificateUnavailable("certificate fetches are over their limit this minute")
        try:
            entry = _Entry(load_certificate(self.fetch(url)), self.clock() + CERT_TTL)
        except SignatureError:
            entry = _Entry(None, self.clock() + REFUSED_TTL)
        with self._lock:
            self._entries[url] = entry
            self._entries.move_to_end(url)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return entry
