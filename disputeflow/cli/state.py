"""What the CLI shares between commands: flags, and a runtime built on first use."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import click

from disputeflow.core.errors import ConfigurationError
from disputeflow.core.plugins import PluginManager, get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import migrate


@dataclass
class CliState:
    """Flags from the top-level group; :meth:`runtime` opens the store lazily."""

    database_url: str | None = None
    home: str | None = None
    rules: str | None = None
    plugins: PluginManager | None = None
    served_at: tuple[str, int] | None = None  # set by ``serve``: the URLs follow the port
    _runtime: Runtime | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        return Settings.from_env(
            database_url=self.database_url,
            home=self.home,
            rules_path=self.rules,
            served_at=self.served_at,
        )

    def manager(self) -> PluginManager:
        """The plugin manager (installed plugins unless one was handed in)."""
        if self.plugins is None:
            self.plugins = get_plugin_manager()
        return self.plugins

    def runtime(self, *, upgrade_embedded: bool = True, check_schema: bool = True) -> Runtime:
        """The runtime; the embedded SQLite store is brought up to date by itself."""
        if self._runtime is None:
            runtime = Runtime.create(self.settings(), plugins=self.manager())
            if runtime.settings.is_embedded and upgrade_embedded:
                runtime.upgrade()
            elif check_schema and not migrate.is_up_to_date(runtime.database):
                runtime.close()
                raise ConfigurationError(
                    "the database schema is not up to date: run `disputeflow db upgrade`"
                )
            self._runtime = runtime
        return self._runtime

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None


def pass_state(function: Any) -> Any:
    """Decorator: hand the command the :class:`CliState`."""
    return click.pass_obj(function)


def emit_json(data: Any) -> None:
    """Machine-readable output: indented, keys in their natural order."""
    click.echo(json.dumps(data, indent=2, default=str))


def json_option(function: Any) -> Any:
    """The ``--json`` flag every data-printing command takes."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def echo_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows under a header row, each column as wide as its widest cell (the last one free)."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())
