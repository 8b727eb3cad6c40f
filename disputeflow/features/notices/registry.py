"""The notifiers plugins provide (``disputeflow_register_notifiers``), collected per round."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from disputeflow.core.errors import PluginError
from disputeflow.core.marketplace import Connection
from disputeflow.engine.notices import Notifier
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import ConnectionRow


def notifiers(runtime: Runtime) -> dict[str, Notifier]:
    """Every registered notifier by name; two with one name are an error naming both."""
    found: dict[str, tuple[Notifier, str]] = {}
    hook = runtime.plugins.hook.disputeflow_register_notifiers
    for impl in hook.get_hookimpls():
        registered = cast("Iterable[object] | None", impl.function(settings=runtime.settings))
        for notifier in registered or ():
            if not isinstance(notifier, Notifier):
                raise PluginError(
                    f"{runtime.plugins.source_of(impl.plugin_name)} registered {notifier!r}, "
                    "which is not a disputeflow Notifier",
                    plugin=impl.plugin_name,
                )
            if notifier.name in found:
                raise PluginError(
                    f"notifier {notifier.name!r} is registered by both "
                    f"{runtime.plugins.source_of(found[notifier.name][1])} and "
                    f"{runtime.plugins.source_of(impl.plugin_name)}",
                    plugin=impl.plugin_name,
                )
            found[notifier.name] = (notifier, impl.plugin_name)
    return {name: notifier for name, (notifier, _) in sorted(found.items())}


def connection_of(runtime: Runtime, connection_id: str) -> Connection:
    with runtime.database.session(readonly=True) as session:
        row = session.get(ConnectionRow, connection_id)
        if row is None:
            raise PluginError(f"no connection {connection_id!r}")
        return runtime.connection(row)
