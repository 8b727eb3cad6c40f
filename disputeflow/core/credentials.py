"""Credentials that change while a connection runs, as a plugin sees them.

Tokens that expire (Shopify's expiring offline tokens, an OAuth refresh token that rotates
on every use) must be renewed once, by one worker, and the new values stored before the
first call that uses them: two workers refreshing with the same rotating refresh token
would lose the connection. A plugin therefore never writes settings itself; it hands a
``renew`` function to :meth:`CredentialStore.renew`, which runs it under the connection's
lock with the settings as stored *now* (another worker may have renewed them while this one
waited), stores what it returns, and hands back the settings in force.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

# Given the stored settings, the changed ones to store, or None when they are fresh already.
Renew = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]


class CredentialStore(Protocol):
    """One connection's stored settings, renewed single-flight across threads and processes.

    ``renew`` raising :class:`~disputeflow.core.errors.ReauthorizationRequired` marks the
    connection ``needs_reauth`` (committed) before the error reaches the caller.
    """

    def renew(self, renew: Renew) -> Mapping[str, Any]: ...
