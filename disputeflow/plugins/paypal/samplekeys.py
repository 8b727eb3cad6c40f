"""The key ``disputeflow demo`` signs PayPal sample deliveries with.

PayPal signs with its own RSA key, which nobody else holds. Sample deliveries are signed
exactly as PayPal signs (:mod:`disputeflow.plugins.paypal.signatures`) with an RSA key derived
from the connection's own ``client_id`` and ``client_secret``, and name
:data:`SAMPLE_CERT_URL` instead of a certificate; a connection accepts that only with
``accept_sample_signatures`` set. Deriving the key from the secret means no private key ships
with disputeflow and a sample signed for one connection verifies for no other.

The derivation is deterministic: SHA-256 in counter mode seeds candidate primes, each
checked by trial division and Miller-Rabin. It serves the demo and the tests, never
production signatures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import rsa

SAMPLE_CERT_URL = "disputeflow-sample:paypal/v1"
PRIME_BITS = 512  # a 1024-bit modulus: enough for demo samples, quick to derive
EXPONENT = 65537
WITNESSES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)


def _small_primes(limit: int) -> tuple[int, ...]:
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for n in range(2, int(limit**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytearray(len(range(n * n, limit, n)))
    return tuple(n for n in range(3, limit) if sieve[n])


SMALL_PRIMES = _small_primes(4000)


def _stream(seed: bytes) -> Iterator[int]:
    """Endless ``PRIME_BITS``-bit numbers from SHA-256 of ``seed`` and a counter."""
    counter = 0
    while True:
        chunks = b""
        while len(chunks) * 8 < PRIME_BITS:
            chunks += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
            counter += 1
        yield int.from_bytes(chunks[: PRIME_BITS // 8], "big")


def _probably_prime(n: int) -> bool:
    if any(n % p == 0 for p in SMALL_PRIMES):
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in WITNESSES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(numbers: Iterator[int]) -> int:
    for number in numbers:
        candidate = number | (3 << (PRIME_BITS - 2)) | 1  # top two bits: n has 2*PRIME_BITS
        if (candidate - 1) % EXPONENT and _probably_prime(candidate):
            return candidate
    raise AssertionError("unreachable")


@lru_cache(maxsize=16)
def sample_private_key(client_id: str, client_secret: str) -> rsa.RSAPrivateKey:
    """The connection's sample key (the same settings always give the same key)."""
    seed = f"disputeflow-paypal-sample-v1|{client_id}|{client_secret}".encode()
    numbers = _stream(hashlib.sha256(seed).digest())
    p = _prime(numbers)
    q = _prime(numbers)
    while q == p:
        q = _prime(numbers)
    d = pow(EXPONENT, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(EXPONENT, p * q)
    private = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), public)
    return private.private_key()
