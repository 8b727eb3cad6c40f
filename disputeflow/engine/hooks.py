"""Calling the plugins' hooks from the engine's own loops and store code."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import pluggy

from disputeflow.core.plugins import PluginManager, get_plugin_manager

log = logging.getLogger(__name__)


@cache
def builtin_plugin_manager() -> PluginManager:
    """The built-in features alone, for store code running without a runtime (a script
    that opens the database itself); never hands out installed plugins."""
    return get_plugin_manager(load_entrypoints=False)


def call_each(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[Any]:
    """Call every implementation of a hook on its own: one that raises is logged and the
    others still run (worker rounds, housekeeping). The results of those that answered."""
    results = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        wanted = {name: kwargs[name] for name in impl.argnames if name in kwargs}
        try:
            results.append(impl.function(**wanted))
        except Exception:  # one feature's failure never stops the others
            log.exception("%s of plugin %s failed", hook_name, impl.plugin_name)
    return results
