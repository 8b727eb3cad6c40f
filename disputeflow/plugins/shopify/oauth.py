"""The pieces of Shopify's OAuth authorization-code grant that need care: the query-string
HMAC (hex, over the sorted parameters), the timestamp, and a stateless state nonce.

The state is ``{timestamp}.{nonce}.{hex HMAC(client secret, shop|timestamp|nonce)}``: it
binds the shop, expires, and needs no server-side storage, so any ``serve`` process can
answer the callback of an install another one started.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import urlencode

from disputeflow import SignatureError

HMAC_TOLERANCE_SECONDS = 300  # Shopify's own libraries: 90 s (JS) to a day (Python)
STATE_MAX_AGE_SECONDS = 600


def _escape_key(text: str) -> str:
    return text.replace("%", "%25").replace("=", "%3D").replace("&", "%26")


def _escape_value(text: str) -> str:
    return text.replace("%", "%25").replace("&", "%26")


def query_hmac(params: Mapping[str, str], secret: str) -> str:
    """The hex HMAC-SHA256 Shopify puts in ``hmac``: every other parameter but
    ``signature``, as ``key=value`` pairs (``%``, ``=`` and ``&`` escaped), sorted, joined by
    ``&`` (the rule of Shopify's Python library, ``Session.calculate_hmac``)."""
    pairs = sorted(
        f"{_escape_key(k)}={_escape_value(v)}"
        for k, v in params.items()
        if k not in ("hmac", "signature")
    )
    message = "&".join(pairs).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_query(params: Mapping[str, str], secret: str, now: datetime) -> None:
    """Refuse a request that Shopify did not sign, or signed too long ago."""
    given = params.get("hmac") or ""
    expected = query_hmac(params, secret)
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
        raise SignatureError("the hmac of this request does not match the app's secret")
    stamp = params.get("timestamp") or ""
    if (
        not (stamp.isascii() and stamp.isdigit())
        or abs(now.timestamp() - int(stamp)) > HMAC_TOLERANCE_SECONDS
    ):
        raise SignatureError("the request's timestamp is missing or too far from now")


def _state_mac(secret: str, shop: str, stamp: str, nonce: str) -> str:
    message = f"{shop}|{stamp}|{nonce}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def make_state(shop: str, secret: str, now: datetime) -> str:
    """A fresh state nonce for one install of ``shop``."""
    stamp, nonce = str(int(now.timestamp())), secrets.token_urlsafe(16)
    return f"{stamp}.{nonce}.{_state_mac(secret, shop, stamp, nonce)}"


def check_state(state: str, shop: str, secret: str, now: datetime) -> None:
    """Refuse a state this app did not make for ``shop``, or made too long ago."""
    stamp, _, rest = state.partition(".")
    nonce, _, mac = rest.partition(".")
    if not (stamp.isascii() and stamp.isdigit() and nonce and mac):
        raise SignatureError("malformed state")
    expected = _state_mac(secret, shop, stamp, nonce)
    if not hmac.compare_digest(expected.encode("ascii"), mac.encode("ascii", "replace")):
        raise SignatureError("the state was not made by this app for this shop")
    age = now.timestamp() - int(stamp)
    if age < -HMAC_TOLERANCE_SECONDS or age > STATE_MAX_AGE_SECONDS:
        raise SignatureError("the state has expired: start the install again")


def authorize_url(
    admin: str, client_id: str, scopes: Iterable[str], redirect_uri: str, state: str
) -> str:
    """Shopify's consent page (below ``admin``, ``https://{shop}``) for an offline token."""
    query = urlencode(
        {
            "client_id": client_id,
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{admin}/admin/oauth/authorize?{query}"
