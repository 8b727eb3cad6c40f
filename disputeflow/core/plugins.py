"""The plugin manager: built-ins and the ``disputeflow`` entry-point group, loaded forgivingly.

A plugin that fails to import is logged, recorded in :attr:`PluginManager.load_errors` and
skipped; it never stops the host. Two plugins claiming one marketplace name is an error
that names both.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any, cast

import pluggy

from disputeflow.core import hookspecs
from disputeflow.core.errors import DuplicateMarketplaceError, NotFoundError, PluginError
from disputeflow.core.marketplace import Marketplace

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = hookspecs.PROJECT
# The features, registered like any plugin (as datasette registers its default plugins):
# by name, so the core never imports them; ``pm.set_blocked(name)`` before they register,
# or ``unregister``, replaces one.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "disputeflow.features.evidence.plugin",
    "disputeflow.features.handling.plugin",
    "disputeflow.features.notices.plugin",
    "disputeflow.features.privacy.plugin",
    "disputeflow.features.rates.plugin",
)


@dataclass(frozen=True)
class LoadError:
    """A plugin that could not be loaded, and why."""

    name: str
    distribution: str | None
    error: str


@dataclass(frozen=True)
class PluginInfo:
    """What ``disputeflow plugins list`` shows for one plugin."""

    name: str
    version: str | None
    distribution: str | None
    hooks: tuple[str, ...]
    marketplaces: tuple[str, ...]


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus the marketplace registry and the record of failed loads."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.load_errors: list[LoadError] = []
        self.distributions: dict[str, str] = {}
        self._marketplaces: dict[str, Marketplace] | None = None

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        self._marketplaces = None
        return super().register(plugin, name)

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        self._marketplaces = None
        return super().unregister(plugin, name)

    def marketplaces(self) -> dict[str, Marketplace]:
        """Every registered marketplace by name (collected once, then cached)."""
        if self._marketplaces is None:
            self._marketplaces = self._collect_marketplaces()
        return dict(self._marketplaces)

    def marketplace(self, name: str) -> Marketplace:
        """One marketplace by name; a clear 404-style error naming the installed ones."""
        found = self.marketplaces().get(name)
        if found is None:
            installed = ", ".join(sorted(self.marketplaces())) or "none"
            raise NotFoundError(f"no marketplace named {name!r} (installed: {installed})")
        return found

    def source_of(self, plugin_name: str) -> str:
        """``plugin 'x' (distribution y)``, for error messages."""
        dist = self.distributions.get(plugin_name)
        return f"plugin {plugin_name!r}" + (f" (distribution {dist})" if dist else "")

    def _collect_marketplaces(self) -> dict[str, Marketplace]:
        found: dict[str, tuple[Marketplace, str]] = {}
        for impl in self.hook.disputeflow_register_marketplaces.get_hookimpls():
            for adapter in _registered(impl):
                if not isinstance(adapter, Marketplace):
                    raise PluginError(
                        f"{self.source_of(impl.plugin_name)} registered {adapter!r}, "
                        "which is not a disputeflow.Marketplace",
                        plugin=impl.plugin_name,
                    )
                if not isinstance(getattr(adapter, "name", None), str):
                    raise PluginError(
                        f"{self.source_of(impl.plugin_name)} registered "
                        f"{type(adapter).__name__}, which has no name",
                        plugin=impl.plugin_name,
                    )
                if adapter.name in found:
                    other = found[adapter.name][1]
                    raise DuplicateMarketplaceError(
                        f"marketplace {adapter.name!r} is claimed by both "
                        f"{self.source_of(other)} and {self.source_of(impl.plugin_name)}",
                        plugin=impl.plugin_name,
                    )
                found[adapter.name] = (adapter, impl.plugin_name)
        return {name: adapter for name, (adapter, _) in sorted(found.items())}

    def plugin_infos(self) -> list[PluginInfo]:
        """Name, version, distribution, hooks and marketplaces of each loaded plugin."""
        by_plugin: dict[str, list[str]] = {}
        for impl in self.hook.disputeflow_register_marketplaces.get_hookimpls():
            by_plugin.setdefault(impl.plugin_name, []).extend(
                getattr(a, "name", "?") for a in _registered(impl)
            )
        infos = []
        for name, plugin in self.list_name_plugin():
            if plugin is None:
                continue
            dist = self.distributions.get(name)
            hooks = sorted(c.name for c in self.get_hookcallers(plugin) or ())
            infos.append(
                PluginInfo(
                    name=name,
                    version=_version(dist),
                    distribution=dist,
                    hooks=tuple(hooks),
                    marketplaces=tuple(by_plugin.get(name, ())),
                )
            )
        return sorted(infos, key=lambda info: info.name)


def _registered(impl: pluggy.HookImpl) -> list[Any]:
    """Call one plugin's ``disputeflow_register_marketplaces`` alone, to know who gave what."""
    try:
        registered = cast("Iterable[Any] | None", impl.function())
        return list(registered or ())
    except Exception as error:  # name the plugin, whatever it raised
        raise PluginError(
            f"plugin {impl.plugin_name!r} failed to register its marketplaces: "
            f"{type(error).__name__}: {error}",
            plugin=impl.plugin_name,
        ) from error


def _version(distribution: str | None) -> str | None:
    if distribution is None:
        return None
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _allowed(name: str) -> bool:
    """``DISPUTEFLOW_LOAD_PLUGINS=a,b`` loads only those entry points ('' loads none)."""
    allow = os.environ.get("DISPUTEFLOW_LOAD_PLUGINS")
    if allow is None:
        return True
    return name in {n.strip() for n in allow.split(",") if n.strip()}


def register_entrypoints(pm: PluginManager, entry_points: Iterable[metadata.EntryPoint]) -> int:
    """Register each entry point's plugin; log and record failures instead of raising."""
    count = 0
    for ep in entry_points:
        if not _allowed(ep.name) or pm.is_blocked(ep.name):
            continue
        dist = ep.dist.name if ep.dist is not None else None
        if pm.get_plugin(ep.name) is not None:
            if pm.distributions.get(ep.name) != dist:
                message = (
                    f"entry point name {ep.name!r} is already taken by {pm.source_of(ep.name)}"
                )
                log.warning("Error while loading disputeflow plugin: %s (%s)", ep.name, message)
                pm.load_errors.append(LoadError(ep.name, dist, message))
            continue
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as error:  # a broken plugin must not take the host down
            log.warning("Error while loading disputeflow plugin: %s (%s)", ep.name, error)
            pm.load_errors.append(LoadError(ep.name, dist, f"{type(error).__name__}: {error}"))
            continue
        if dist:
            pm.distributions[ep.name] = dist
        count += 1
    return count


def get_plugin_manager(*, load_entrypoints: bool = True) -> PluginManager:
    """A fresh manager: specs, the built-ins, then (unless told not to) installed plugins.

    Tests pass ``load_entrypoints=False`` so that whatever is installed never leaks in.
    """
    pm = PluginManager()
    for module_path in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_path), name=module_path)
    if load_entrypoints:
        register_entrypoints(pm, metadata.entry_points(group=ENTRY_POINT_GROUP))
    if os.environ.get("DISPUTEFLOW_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda message: log.info("%s", message.rstrip()))
        pm.enable_tracing()
    return pm
