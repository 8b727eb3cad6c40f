"""How the workspace writes times, money, durations and deadlines (Jinja filters).

The same filters serve the live pages and the standalone report, so both read alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from jinja2 import Environment

from disputeflow.core.clock import utcnow
from disputeflow.core.money import Money

SOON = timedelta(hours=24)


def when(value: datetime | None) -> str:
    """``2026-11-01 12:00 UTC``."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "—"


def duration(delta: timedelta) -> str:
    """``2d 4h``, ``5h 10m``, ``12m``: two units at most."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m"


def deadline(due: datetime | None, now: datetime | None = None) -> dict[str, str]:
    """How close a deadline is: ``level`` (``overdue``, ``soon``, ``later``, ``none``), a
    short ``badge`` word and a ``text`` that says it without colour."""
    if due is None:
        return {"level": "none", "badge": "", "text": "no deadline"}
    left = due - (now or utcnow())
    if left < timedelta(0):
        return {"level": "overdue", "badge": "Overdue", "text": f"overdue by {duration(left)}"}
    if left <= SOON:
        return {"level": "soon", "badge": "Due soon", "text": f"{duration(left)} left"}
    return {"level": "later", "badge": "", "text": f"{duration(left)} left"}


def money(value: Money | dict[str, str] | None) -> str:
    """``12.50 EUR``; ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        value = Money.from_dict(value)
    return f"{value.value:,} {value.currency}"


def cell(value: Any) -> str:
    """A table cell: ``—`` for unknown, numbers as they are."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return str(value)


def label(value: Any) -> str:
    """``needs_response`` -> ``needs response``."""
    return str(value).replace("_", " ") if value is not None else "—"


FILTERS = {
    "when": when,
    "duration": duration,
    "deadline": deadline,
    "money": money,
    "cell": cell,
    "label": label,
}


def install(env: Environment) -> None:
    """Add the workspace's filters to a Jinja environment."""
    env.filters.update(FILTERS)
