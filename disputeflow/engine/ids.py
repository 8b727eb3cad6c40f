"""Opaque, time-ordered identifiers such as ``case_01JD3...``.

A millisecond timestamp followed by random bits, in Crockford base 32 (ULID layout), so
ids sort by creation time: cursor pagination and index locality both benefit.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A new id: ``prefix`` + ``_`` + 26 characters (48-bit ms time, 80 random bits)."""
    millis = time.time_ns() // 1_000_000
    return f"{prefix}_{_base32(millis, 10)}{_base32(secrets.randbits(80), 16)}"
