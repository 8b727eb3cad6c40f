"""Fixtures shared by the whole suite. Tests never see installed plugins by accident:
every manager here is built with ``load_entrypoints=False``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from disputeflow.core.plugins import PluginManager, get_plugin_manager


@pytest.fixture
def plugin_manager() -> Iterator[PluginManager]:
    """A fresh manager with the hook specs and built-ins, and no installed plugins."""
    yield get_plugin_manager(load_entrypoints=False)
