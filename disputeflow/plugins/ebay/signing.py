"""Which calls are signed, for which sellers, and with which key.

eBay's "Digital signatures for APIs" guide (checked 2026-12-04) requires signatures, for
EU- and UK-domiciled sellers only, on: the Finances API, Fulfillment ``issueRefund``,
Trading ``GetAccount`` and, in Post-Order, Issue Inquiry Refund, Issue case refund, Issue
return refund, Process Return Request (``decide``), Create and Approve Cancellation
Request. A signature on any other call is ignored by eBay, never refused.

Whether a connection's seller is EU/UK-domiciled is the setting ``eu_uk_seller``; unset,
it follows the marketplace (a seller on ``EBAY_DE`` is assumed German-domiciled).

Keys come from the Key Management API ``createSigningKey`` (``POST
https://apiz.ebay.com/developer/key_management/v1/signing_key``, ``{"signingKeyCipher":
"ED25519"}``, an application token; supported in the sandbox): eBay returns the private
key once and never again. The key lives in the connection's settings (``signing_key_jwe``
and the secret ``signing_private_key``, encrypted at rest like every secret); the install
flow stores one. A connection without one gets a key created on its first signed call and
stored in its settings through the connection's credential store (one worker creates it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from disputeflow import MarketplaceError
from disputeflow.core.credentials import CredentialStore
from disputeflow.plugins.ebay.httpsig import load_private_key

# eBay marketplaces of EU member states and the UK (MarketplaceIdEnum).
EU_UK_MARKETPLACES = frozenset(
    {"EBAY_AT", "EBAY_BE", "EBAY_DE", "EBAY_ES", "EBAY_FR", "EBAY_GB", "EBAY_IE", "EBAY_IT",
     "EBAY_NL", "EBAY_PL"}
)  # fmt: skip
KEY_PATH = "/developer/key_management/v1/signing_key"


@dataclass(frozen=True)
class SigningKey:
    """An application signing key: the JWE eBay reads and the private key we sign with."""

    jwe: str
    private_key: Ed25519PrivateKey


def signs_for(settings: Mapping[str, Any]) -> bool:
    """Whether calls for this connection's seller must be signed (EU/UK domicile)."""
    explicit = settings.get("eu_uk_seller")
    if isinstance(explicit, bool):
        return explicit
    return str(settings.get("marketplace_id") or "").upper() in EU_UK_MARKETPLACES


def stored_key(settings: Mapping[str, Any]) -> SigningKey | None:
    """The key kept in the connection's settings, if it has one."""
    jwe, private = settings.get("signing_key_jwe"), settings.get("signing_private_key")
    if not jwe or not private:
        return None
    return SigningKey(str(jwe), load_private_key(str(private)))


def key_from_answer(answer: Any) -> tuple[SigningKey, dict[str, str]]:
    """Read ``createSigningKey``'s answer: the key and the settings that keep it."""
    jwe = answer.get("jwe") if isinstance(answer, Mapping) else None
    private = answer.get("privateKey") if isinstance(answer, Mapping) else None
    if not isinstance(jwe, str) or not isinstance(private, str):
        raise MarketplaceError("eBay's createSigningKey answered no key", transient=True)
    key = SigningKey(jwe, load_private_key(private))
    settings = {"signing_key_jwe": jwe, "signing_private_key": private}
    if isinstance(answer.get("signingKeyId"), str):
        settings["signing_key_id"] = answer["signingKeyId"]
    return key, settings


def _kept(create: Callable[[], Any]) -> dict[str, str]:
    return key_from_answer(create())[1]


class SigningKeys:
    """Keys created in this process, per application (client id and host)."""

    def __init__(self) -> None:
        self._keys: dict[str, SigningKey] = {}
        self._lock = threading.Lock()

    def key_for(
        self,
        settings: Mapping[str, Any],
        scope: str,
        create: Callable[[], Any],
        store: CredentialStore | None = None,
    ) -> SigningKey:
        """The stored key, else a new one kept in the connection's settings (one worker
        creates it, under the connection's lock), else, outside the service, one this
        process made for the app."""
        stored = stored_key(settings)
        if stored is not None:
            return stored
        if store is not None:
            kept = stored_key(store.renew(lambda now: None if stored_key(now) else _kept(create)))
            if kept is not None:
                return kept
        name = f"{scope}|{settings['client_id']}"
        with self._lock:
            if name in self._keys:
                return self._keys[name]
            key, _ = key_from_answer(create())
            self._keys[name] = key
            return key
