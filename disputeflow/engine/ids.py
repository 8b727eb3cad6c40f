"""Opaque, time-ordered identifiers such as ``case_01JD3...``.

A millisecond timestamp, then random bits counting up within a millisecond (ULID's monotonic
mode), in Crockford base 32: ids sort by creation time, for cursor pages and index locality.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_last, _lock = [0, 0], threading.Lock()  # the last id's millisecond and random part


def _base32(number: int, length: int) -> str:
    return "".join(_ALPHABET[(number >> 5 * place) & 31] for place in reversed(range(length)))


def new_id(prefix: str) -> str:
    """A new id: ``prefix`` + ``_`` + 26 characters (48-bit ms time, 80 random bits)."""
    with _lock:  # from 79 random bits up, so counting never carries into the time
        millis = max(time.time_ns() // 1_000_000, _last[0])
        _last[:] = millis, _last[1] + 1 if millis == _last[0] else secrets.randbits(79)
        return f"{prefix}_{_base32(millis, 10)}{_base32(_last[1], 16)}"
