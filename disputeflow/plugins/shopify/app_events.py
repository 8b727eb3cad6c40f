"""``app/uninstalled`` and ``app/scopes_update``: what happens to the app in a shop.

An uninstalled shop's connection stops syncing and acting, keeps its cases, and shows
``uninstalled`` until the merchant installs again; its ``shop/redact`` (48 hours later)
erases as usual. A scopes update is recorded in the log: the connection goes on with the
scopes it was granted (shopify.dev ``api/webhooks`` topics ``app/uninstalled``,
``app/scopes_update``, checked 2026-12-04).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from disputeflow.core.effects import ConnectionStateChange, Translation
from disputeflow.core.taxonomy import ConnectionState

log = logging.getLogger(__name__)

TOPICS = ("app/uninstalled", "app/scopes_update")


def translate(topic: str, payload: dict[str, Any], observed_at: datetime) -> list[Translation]:
    if topic == "app/uninstalled":
        reason = "the app was uninstalled from the shop: install it again to resume"
        return [ConnectionStateChange(ConnectionState.UNINSTALLED, reason, observed_at)]
    granted = payload.get("current")
    log.info("Shopify app scopes now %s", ",".join(granted) if isinstance(granted, list) else "?")
    return []
