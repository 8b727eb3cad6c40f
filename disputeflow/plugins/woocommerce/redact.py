"""Keeping the store's API keys out of every log line and stored error.

With query-string authentication (and with OAuth 1.0a over HTTP) the consumer key, and with
query-string authentication the secret too, travel in the URL, and ``requests`` and
``urllib3`` quote that URL in their exception messages and debug logs. Every error the
client raises is passed through :func:`redact`, and urllib3's logger gets a filter that does
the same, so neither ends up in a log, ``deliveries.last_error`` or ``sync_cursors.last_error``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "***"
# Query parameters that carry a credential or a signature of one (WooCommerce's own names,
# OAuth 1.0a's, and the WPSwings returns plugin's ``secret_key``).
_PARAMS = re.compile(
    r"(?P<name>consumer_key|consumer_secret|oauth_consumer_key|oauth_signature|oauth_nonce"
    r"|secret_key)(?P<eq>=|%3D)(?P<value>[^&\s'\"#]+)",
    re.IGNORECASE,
)
_KEYS = re.compile(r"\b(?:ck|cs)_[0-9a-f]{6,}\b", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential parameter's value, every ``ck_``/``cs_`` key and each of
    ``secrets`` replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    text = _PARAMS.sub(lambda m: f"{m['name']}{m['eq']}{MASK}", text)
    return _KEYS.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Masks credentials in a record's message and arguments (urllib3 logs each URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_log_filter(name: str = "urllib3.connectionpool") -> None:
    """Add the filter to ``name``'s logger once."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
