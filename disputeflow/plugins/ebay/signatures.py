"""Notification API signatures: ``X-EBAY-SIGNATURE`` checked with eBay's public key.

The header is base64 of ``{"alg": "ecdsa", "kid": ..., "signature": <base64 DER>, "digest":
"SHA1"}``. eBay signs the message as its SDKs re-serialise it: compact JSON, keys in the
order received. The raw body is checked first (eBay sends it compact), then its compact
form. Keys are fetched per ``kid`` and kept for an hour, as eBay asks.

Sample deliveries (``disputeflow demo``) are signed the same way with a key derived from the
connection's client secret, under the ``kid`` :data:`SAMPLE_KID`; a connection accepts them
only with ``accept_sample_signatures`` set.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from disputeflow.plugins.ebay.errors import KeyServiceError, SignatureMismatch

SAMPLE_KID = "disputeflow-sample-v1"
KEY_TTL = timedelta(hours=1)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
DIGESTS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "SHA1": hashes.SHA1,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}


@dataclass(frozen=True)
class SignatureHeader:
    """The decoded ``X-EBAY-SIGNATURE``."""

    kid: str
    signature: bytes
    digest: str | None  # None: take the key's digest


@dataclass(frozen=True)
class PublicKey:
    """An eBay public key and the digest it is used with."""

    key: ec.EllipticCurvePublicKey
    digest: str | None


def parse_header(value: str | None) -> SignatureHeader:
    """Decode the header; anything unreadable is a mismatch."""
    if not value:
        raise SignatureMismatch("missing X-EBAY-SIGNATURE")
    try:
        decoded = json.loads(base64.b64decode(value, validate=True))
        signature = base64.b64decode(decoded["signature"], validate=True)
        kid, alg = decoded["kid"], str(decoded.get("alg", "ecdsa"))
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise SignatureMismatch("X-EBAY-SIGNATURE is not eBay's signature header") from None
    if not isinstance(kid, str) or not kid or alg.lower() != "ecdsa":
        raise SignatureMismatch("X-EBAY-SIGNATURE names no ECDSA key")
    digest = decoded.get("digest")
    return SignatureHeader(kid, signature, _digest_name(digest) if digest else None)


def _digest_name(value: Any) -> str:
    name = str(value).upper().replace("-", "")
    if name not in DIGESTS:
        raise SignatureMismatch(f"unsupported signature digest {value!r}")
    return name


def compact(body: bytes) -> bytes | None:
    """The body as eBay's SDKs re-serialise it before verifying, or ``None`` if not JSON."""
    try:
        parsed = json.loads(body)
        return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError):
        return None


def verify(public: PublicKey, header: SignatureHeader, body: bytes) -> None:
    """Raise :class:`SignatureMismatch` unless ``header`` signs ``body`` (raw or compact)."""
    digest = DIGESTS[header.digest or public.digest or "SHA1"]()
    candidates = [body]
    if (compacted := compact(body)) is not None and compacted != body:
        candidates.append(compacted)
    for candidate in candidates:
        try:
            public.key.verify(header.signature, candidate, ec.ECDSA(digest))
            return
        except InvalidSignature:
            continue
    raise SignatureMismatch("X-EBAY-SIGNATURE does not match the body")


def load_public_key(answer: Any) -> PublicKey:
    """Parse ``GET public_key/{kid}``: a PEM without line breaks, the algorithm, the digest."""
    pem = answer.get("key") if isinstance(answer, Mapping) else None
    if not isinstance(pem, str) or "PUBLIC KEY" not in pem:
        raise KeyServiceError("eBay's key service answered no public key", transient=True)
    der_text = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
    try:
        key = serialization.load_der_public_key(base64.b64decode("".join(der_text.split())))
    except (ValueError, binascii.Error):
        raise KeyServiceError("eBay's public key cannot be read", transient=True) from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise KeyServiceError("eBay's public key is not an ECDSA key", transient=True)
    digest = answer.get("digest")
    return PublicKey(key, _digest_name(digest) if digest else None)


class KeyCache:
    """Public keys by ``(scope, kid)`` for :data:`KEY_TTL`; ``clock`` is injectable for tests."""

    def __init__(self, clock: Callable[[], datetime], ttl: timedelta = KEY_TTL) -> None:
        self._clock = clock
        self._ttl = ttl
        self._keys: dict[tuple[str, str], tuple[PublicKey, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, scope: str, kid: str, fetch: Callable[[], PublicKey]) -> PublicKey:
        """The cached key, or ``fetch()`` it (outside the lock) and keep it."""
        now = self._clock()
        with self._lock:
            cached = self._keys.get((scope, kid))
        if cached is not None and cached[1] > now:
            return cached[0]
        key = fetch()
        with self._lock:
            self._keys[(scope, kid)] = (key, now + self._ttl)
        return key


def sample_private_key(client_id: str, client_secret: str) -> ec.EllipticCurvePrivateKey:
    """The connection's own P-256 key for sample deliveries (derived, never stored)."""
    label = b"disputeflow ebay sample notification key|" + client_id.encode()
    seed = hmac.new(client_secret.encode(), label, hashlib.sha256).digest()
    scalar = int.from_bytes(seed, "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def sign(body: bytes, private_key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """An ``X-EBAY-SIGNATURE`` value for ``body``, as eBay makes it (ECDSA, SHA1)."""
    signature = private_key.sign(body, ec.ECDSA(hashes.SHA1()))  # noqa: S303  (eBay's digest)
    header = {
        "alg": "ecdsa",
        "kid": kid,
        "signature": base64.b64encode(signature).decode(),
        "digest": "SHA1",
    }
    return base64.b64encode(json.dumps(header).encode()).decode()


def public_key_answer(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """What eBay's ``public_key/{kid}`` answers for ``private_key`` (no line breaks in it)."""
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = f"-----BEGIN PUBLIC KEY-----{base64.b64encode(der).decode()}-----END PUBLIC KEY-----"
    return {"key": pem, "algorithm": "ECDSA", "digest": "SHA1"}
