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
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from disputeflow import depth_exceeds
from disputeflow.plugins.ebay.errors import KeyLookupsThrottled, KeyServiceError, SignatureMismatch

SAMPLE_KID = "disputeflow-sample-v1"
KEY_TTL = timedelta(hours=1)
UNKNOWN_KID_TTL = timedelta(minutes=10)
LOOKUPS_PER_MINUTE = 3
MAX_HEADER = 4096  # an X-EBAY-SIGNATURE is a few hundred characters
MAX_COMPACTED_BODY = 256 * 1024  # re-serialised only below this size ...
MAX_DEPTH = 32  # ... and this nesting depth
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
    if len(value) > MAX_HEADER:
        raise SignatureMismatch("X-EBAY-SIGNATURE is too long to be eBay's")
    try:
        raw = base64.b64decode(value, validate=True)
        if not bounded(raw):
            raise ValueError("nested")
        decoded = json.loads(raw)
        signature = base64.b64decode(decoded["signature"], validate=True)
        kid, alg = decoded["kid"], str(decoded.get("alg", "ecdsa"))
    except (ValueError, TypeError, KeyError, binascii.Error, RecursionError):
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


def bounded(body: bytes, max_size: int = MAX_COMPACTED_BODY, max_depth: int = MAX_DEPTH) -> bool:
    """Whether a body is small and shallow enough to parse, by one scan of its bytes
    (brackets outside strings), so a hostile body never reaches the parser."""
    return len(body) <= max_size and not depth_exceeds(body, max_depth)


def compact(body: bytes) -> bytes | None:
    """The body as eBay's SDKs re-serialise it before verifying, or ``None`` if it is not
    JSON or not :func:`bounded`."""
    if not bounded(body):
        return None
    try:
        parsed = json.loads(body)
        return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError):
        return None


def verify(public: PublicKey, header: SignatureHeader, body: bytes) -> None:
    """Raise :class:`SignatureMismatch` unless ``header`` signs ``body`` (raw or compact)."""
    digest = DIGESTS[header.digest or public.digest or "SHA1"]
    try:
        public.key.verify(header.signature, body, ec.ECDSA(digest()))
        return
    except InvalidSignature:
        pass
    compacted = compact(body)  # parsed only when bounded; never before the raw check
    if compacted is not None and compacted != body:
        try:
            public.key.verify(header.signature, compacted, ec.ECDSA(digest()))
            return
        except InvalidSignature:
            pass
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
    """Public keys by ``(scope, kid)`` for :data:`KEY_TTL`, unknown ``kid``s for
    :data:`UNKNOWN_KID_TTL`, and a budget of lookups per connection and minute."""

    def __init__(self, clock: Callable[[], datetime], ttl: timedelta = KEY_TTL) -> None:
        self._clock = clock
        self._ttl = ttl
        self._keys: dict[tuple[str, str], tuple[PublicKey, datetime]] = {}
        self._unknown: dict[tuple[str, str], datetime] = {}
        self._lookups: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def get(
        self, scope: str, kid: str, fetch: Callable[[], PublicKey], budget: str = ""
    ) -> PublicKey:
        """The cached key, or ``fetch()`` it (outside the lock) and keep it. Raises
        :class:`SignatureMismatch` for a ``kid`` known to be unknown and
        :class:`KeyLookupsThrottled` when ``budget`` (a connection) spent its lookups."""
        now = self._clock()
        with self._lock:
            cached = self._keys.get((scope, kid))
            if cached is not None and cached[1] > now:
                return cached[0]
            if self._unknown.get((scope, kid), now) > now:
                raise SignatureMismatch(f"eBay has no public key {kid!r} (checked recently)")
            self._spend(budget, now)
        try:
            key = fetch()
        except SignatureMismatch:
            with self._lock:
                self._unknown[(scope, kid)] = now + UNKNOWN_KID_TTL
            raise
        with self._lock:
            self._keys[(scope, kid)] = (key, now + self._ttl)
        return key

    def _spend(self, budget: str, now: datetime) -> None:
        recent = self._lookups.setdefault(budget, deque())
        while recent and recent[0] <= now - timedelta(minutes=1):
            recent.popleft()
        if len(recent) >= LOOKUPS_PER_MINUTE:
            raise KeyLookupsThrottled("too many eBay key lookups for this connection: retry later")
        recent.append(now)


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
