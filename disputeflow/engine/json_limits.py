"""How deep a JSON body may nest before anything parses it.

Python's ``json`` recurses once per level, so ``[[[[...]]]]`` a hundred thousand deep ends
in ``RecursionError``; the HTTP side refuses such bodies with 400 and plugins that must
parse a body before it is verified (eBay's compact re-serialisation) refuse them too, with
``disputeflow.depth_exceeds``. The
check is one C-speed count of brackets for ordinary bodies; only a body with more opening
brackets than the limit is scanned byte by byte (strings skipped).
"""

from __future__ import annotations

MAX_DEPTH = 64  # platforms' payloads nest about ten deep
_QUOTE, _ESCAPE = ord('"'), ord("\\")
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")


def depth_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``body``, read as JSON, nests deeper than ``limit`` (outside strings)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False
