"""Every exception disputeflow raises on purpose, with what the host does with each.

The HTTP layer turns any :class:`DisputeflowError` into the common error shape
``{"code", "status", "message", "errors"}`` using the class attributes below; the CLI
prints its message as one line and exits non-zero.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DisputeflowError(Exception):
    """Base class: shown to the user as one clear line (CLI) or the common error shape (HTTP)."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, Any] = errors or {}


class ConfigurationError(DisputeflowError):
    """A setting or environment variable is wrong; the process refuses to start."""

    status = 500
    code = "configuration_error"


class NotFoundError(DisputeflowError):
    """The named case, connection, token or marketplace does not exist (HTTP 404)."""

    status = 404
    code = "not_found"


class InvalidInputError(DisputeflowError, ValueError):
    """Input failed validation; ``errors`` maps each field to its messages (HTTP 422)."""

    status = 422
    code = "invalid_input"


class CurrencyMismatchError(DisputeflowError, ValueError):
    """Arithmetic or comparison across two currencies was attempted (HTTP 422)."""

    status = 422
    code = "currency_mismatch"


class SnapshotError(DisputeflowError):
    """A plugin produced a snapshot the core cannot merge; the delivery is kept as failed."""

    status = 422
    code = "invalid_snapshot"


class ActionNotAllowedError(DisputeflowError):
    """The action is not in the case's ``allowed_actions`` or a hook vetoed it (HTTP 409)."""

    status = 409
    code = "action_not_allowed"


class PluginError(DisputeflowError):
    """A plugin failed to load or broke the plugin contract; ``plugin`` names it."""

    code = "plugin_error"

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin


class DuplicateMarketplaceError(PluginError):
    """Two plugins claim one marketplace name; the message names both sources."""

    code = "duplicate_marketplace"


class SignatureError(DisputeflowError):
    """A webhook delivery failed verification (HTTP 401); nothing is stored as a case event."""

    status = 401
    code = "invalid_signature"


class MarketplaceError(DisputeflowError):
    """An expected failure talking to a platform; plugins raise it, the worker retries it
    when ``transient`` (honouring ``retry_after`` seconds) and records it otherwise."""

    status = 502
    code = "marketplace_error"

    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        retry_after: float | None = None,
        platform_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.platform_status = platform_status


class UnsupportedError(MarketplaceError):
    """The marketplace does not offer this capability (HTTP 501); never retried."""

    status = 501
    code = "unsupported"


class ReauthorizationRequired(MarketplaceError):
    """The platform no longer accepts the connection's credentials (a refresh token that was
    revoked, an app that was uninstalled): only the merchant can fix it, by installing or
    authorising again. The core marks the connection ``needs_reauth``, stops its sync and
    keeps its queued actions until then; never retried."""

    code = "reauthorization_required"


class ConnectionInactiveError(DisputeflowError):
    """The connection is ``needs_reauth`` or ``uninstalled``: it neither syncs nor acts until
    the merchant installs or authorises it again (HTTP 409)."""

    status = 409
    code = "connection_inactive"
