"""A connection's setup as its workspace page tells it, from the same description that
``connections show`` and the API give: API access authorised or not, which secrets are set,
what failed, and the next step.

The engine's own next step (give the platform the webhook URL) is said in the reader's
language; a plugin's next step is its own English text, shown as such with its commands
(the parts it puts in backticks) set apart, so a merchant can copy them.
"""

from __future__ import annotations

from typing import Any

from disputeflow.engine.connection_status import WEBHOOK_STEP


def step_parts(text: str) -> list[dict[str, Any]]:
    """``text`` cut into prose and commands: the parts between backticks are commands."""
    pieces = text.split("`")
    return [{"code": index % 2 == 1, "text": piece} for index, piece in enumerate(pieces) if piece]


def setup(item: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of a described connection's setup."""
    step = item.get("next_step")
    webhook = bool(step) and step == WEBHOOK_STEP.format(url=item["webhook_url"])
    given = set(item.get("secrets_set") or ())
    return {
        "authorised": item.get("authorised"),
        "webhook_step": webhook,
        "step": step_parts(step) if step and not webhook else [],
        "sync_error": item.get("last_sync_error"),
        "rejected": item.get("rejected_deliveries") or 0,
        "last_rejected_at": item.get("last_rejected_at"),
        "secrets": [{"key": key, "set": key in given} for key in item.get("secrets") or ()],
    }


__all__ = ["setup", "step_parts"]
