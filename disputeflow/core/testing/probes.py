"""Helpers of the conformance kit's sharper checks: forged signatures, credential names,
frozen clocks and a guard that keeps the kit off the network."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from disputeflow.core.errors import SignatureError
from disputeflow.core.marketplace import Connection, InboundRequest, Marketplace
from disputeflow.core.testing.support import _perturb

#: The last word of a setting's name that makes it a credential (see docs/testing.md).
CREDENTIAL_WORDS = frozenset(
    {"secret", "token", "password", "passphrase", "key", "credential", "credentials"}
)

#: Two wall clocks far apart (and far from any sample's dates) to translate under.
WALL_CLOCKS = (datetime(2031, 5, 17, 3, 4, 5, tzinfo=UTC), datetime(2037, 11, 2, 22, 0, tzinfo=UTC))

#: HMAC algorithms a webhook signature must not be accepted under (the platform uses another).
WRONG_ALGORITHMS = ("md5", "sha1", "sha224", "sha384", "sha512")


#: Words in a header's name that say it carries the signature itself.
SIGNATURE_WORDS = ("signature", "hmac", "sign")


def signature_headers(signed: list[str]) -> list[str]:
    """Of the headers whose altered value is refused, those named as signatures
    (``X-Shopify-Hmac-Sha256``, ``X-WC-Webhook-Signature``); all of them if none is."""
    named = [name for name in signed if any(word in name.lower() for word in SIGNATURE_WORDS)]
    return named or signed


def looks_like_credential(name: str) -> bool:
    """Whether a setting's name ends with a credential word: ``api_key``, ``accessToken``,
    ``client-secret`` do; ``access_token_expires_at``, ``key_id``, ``monkey`` do not."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    words = [word for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if word]
    return bool(words) and words[-1] in CREDENTIAL_WORDS


def secret_values(marketplace: Marketplace, connection: Connection) -> list[str]:
    """The connection's secret settings that are non-empty strings."""
    return [
        value
        for name in sorted(marketplace.secret_fields())
        if isinstance(value := connection.settings.get(name), str) and value
    ]


def refused(marketplace: Marketplace, connection: Connection, request: InboundRequest) -> bool:
    """True when verification raises SignatureError, False when it passes; any other error
    propagates (a forged request is a SignatureError, never a crash)."""
    try:
        marketplace.verify_delivery(connection, request)
    except SignatureError:
        return True
    return False


def with_header(request: InboundRequest, name: str, value: str | None) -> InboundRequest:
    """``request`` with header ``name`` set to ``value`` (removed when ``value`` is None)."""
    headers = {key: val for key, val in request.headers.items() if key != name}
    if value is not None:
        headers[name] = value
    return replace(request, headers=headers)


def forged_values(value: str, secrets: list[str], body: bytes) -> dict[str, str]:
    """Wrong values for a signed header: truncated, altered, and HMACs of the body under
    each secret with algorithms other than the platform's, in hex and in base64."""
    forged = {
        "truncated to half": value[: len(value) // 2],
        "truncated by one character": value[:-1],
        "altered": _perturb(value),
    }
    for secret in secrets:
        for algorithm in WRONG_ALGORITHMS:
            digest = hmac.new(secret.encode(), body, getattr(hashlib, algorithm)).digest()
            forged[f"HMAC-{algorithm.upper()} (hex)"] = digest.hex()
            forged[f"HMAC-{algorithm.upper()} (base64)"] = base64.b64encode(digest).decode()
    return {what: forgery for what, forgery in forged.items() if forgery != value}


def _refuse_network(*args: Any, **kwargs: Any) -> Any:
    raise OSError("the conformance kit allows no network access")


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse every DNS look-up and socket connection, so a stray call fails at once."""
    with (
        mock.patch.object(socket, "getaddrinfo", _refuse_network),
        mock.patch.object(socket, "create_connection", _refuse_network),
        mock.patch.object(socket.socket, "connect", _refuse_network),
    ):
        yield


@contextmanager
def recorded_calls() -> Iterator[list[str]]:
    """Every ``requests`` call made inside (PlatformClient's), answered 404 at once, as
    "METHOD URL"; any other connection is refused (:func:`no_network`)."""
    responses = pytest.importorskip("responses", reason="the kit records calls with responses")
    seen: list[str] = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api, no_network():
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            api.add(method, re.compile(".*"), status=404, json={"message": "conformance kit"})
        yield seen
        seen.extend(f"{call.request.method} {call.request.url}" for call in api.calls)
