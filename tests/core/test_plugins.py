"""Plugin loading: entry points, forgiving failures, the marketplace registry, plugin infos."""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path

import pytest

from disputeflow import (
    DuplicateMarketplaceError,
    Marketplace,
    NotFoundError,
    PluginError,
    hookimpl,
)
from disputeflow.core.plugins import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    PluginManager,
    get_plugin_manager,
    register_entrypoints,
)
from disputeflow.core.testing import minimal_case
from tests.fakes.marketplace import FakeMarketplace

SITE = Path(__file__).parent.parent / "data" / "site"
DIST = "fake-df-plugin"


@pytest.fixture(autouse=True)
def _no_plugin_env(monkeypatch):
    monkeypatch.delenv("DISPUTEFLOW_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("DISPUTEFLOW_TRACE_PLUGINS", raising=False)


@pytest.fixture
def fake_entry_points():
    """The ``disputeflow`` entry points of the fake distribution in tests/data/site."""
    (dist,) = metadata.distributions(path=[str(SITE)])
    return list(dist.entry_points.select(group=ENTRY_POINT_GROUP))


class RegistersFake:
    @hookimpl
    def disputeflow_register_marketplaces(self):
        return [FakeMarketplace()]


def test_fake_distribution_is_well_formed(fake_entry_points):
    assert {ep.name: ep.value for ep in fake_entry_points} == {
        "fake": "tests.fakes.plugin",
        "broken": "tests.data.broken_plugin",
    }
    assert {ep.dist.name for ep in fake_entry_points} == {DIST}


def test_entry_point_plugin_is_found(plugin_manager, fake_entry_points):
    loaded = register_entrypoints(plugin_manager, fake_entry_points)
    assert loaded == 1
    assert isinstance(plugin_manager.marketplace("fake"), FakeMarketplace)
    assert plugin_manager.distributions == {"fake": DIST}


def test_broken_plugin_is_logged_and_skipped(plugin_manager, fake_entry_points, caplog):
    with caplog.at_level(logging.WARNING, logger="disputeflow.core.plugins"):
        register_entrypoints(plugin_manager, fake_entry_points)
    assert [(e.name, e.distribution) for e in plugin_manager.load_errors] == [("broken", DIST)]
    assert "ImportError" in plugin_manager.load_errors[0].error
    assert "broken on purpose" in plugin_manager.load_errors[0].error
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Error while loading disputeflow plugin: broken" in warnings[0].getMessage()
    assert plugin_manager.get_plugin("broken") is None
    assert "fake" in plugin_manager.marketplaces()


def test_registered_and_blocked_names_are_skipped(plugin_manager, fake_entry_points):
    assert register_entrypoints(plugin_manager, fake_entry_points) == 1
    assert register_entrypoints(plugin_manager, fake_entry_points) == 0
    plugin_manager.unregister(name="fake")
    plugin_manager.set_blocked("fake")
    assert register_entrypoints(plugin_manager, fake_entry_points) == 0
    assert "fake" not in plugin_manager.marketplaces()


def test_get_plugin_manager_loads_installed_plugins(monkeypatch):
    monkeypatch.syspath_prepend(str(SITE))
    pm = get_plugin_manager()
    assert isinstance(pm.marketplace("fake"), FakeMarketplace)
    assert pm.distributions["fake"] == DIST
    assert "broken" in {e.name for e in pm.load_errors}
    for module_path in DEFAULT_PLUGINS:
        assert pm.get_plugin(module_path) is not None


def test_get_plugin_manager_without_entrypoints(monkeypatch):
    monkeypatch.syspath_prepend(str(SITE))
    pm = get_plugin_manager(load_entrypoints=False)
    assert "fake" not in pm.marketplaces()
    assert pm.load_errors == []


@pytest.mark.parametrize(
    ("allow", "loaded", "errors"),
    [
        ("fake", {"fake"}, set()),
        ("broken", set(), {"broken"}),
        (" fake , broken ", {"fake"}, {"broken"}),
        ("", set(), set()),
    ],
)
def test_load_plugins_allow_list(monkeypatch, allow, loaded, errors):
    monkeypatch.syspath_prepend(str(SITE))
    monkeypatch.setenv("DISPUTEFLOW_LOAD_PLUGINS", allow)
    pm = get_plugin_manager()
    assert {"fake"} & set(pm.marketplaces()) == loaded
    assert {e.name for e in pm.load_errors} == errors
    assert set(pm.distributions) == loaded


def test_trace_plugins_logs_hook_calls(monkeypatch, caplog):
    monkeypatch.setenv("DISPUTEFLOW_TRACE_PLUGINS", "1")
    pm = get_plugin_manager(load_entrypoints=False)
    with caplog.at_level(logging.INFO, logger="disputeflow.core.plugins"):
        pm.hook.disputeflow_route_case(case=minimal_case("fake", "return"))
    assert "disputeflow_route_case" in caplog.text


def test_duplicate_marketplace_names_both_plugins(plugin_manager):
    plugin_manager.register(RegistersFake(), name="first")
    plugin_manager.register(RegistersFake(), name="second")
    with pytest.raises(DuplicateMarketplaceError) as info:
        plugin_manager.marketplaces()
    message = str(info.value)
    assert "'fake'" in message
    assert "'first'" in message
    assert "'second'" in message
    assert info.value.plugin in ("first", "second")


def test_duplicate_marketplace_names_the_distribution(plugin_manager, fake_entry_points):
    register_entrypoints(plugin_manager, fake_entry_points)
    plugin_manager.register(RegistersFake(), name="local-copy")
    with pytest.raises(DuplicateMarketplaceError, match=f"distribution {DIST}") as info:
        plugin_manager.marketplaces()
    assert "'local-copy'" in str(info.value)


def test_unregistering_clears_the_conflict(plugin_manager):
    plugin_manager.register(RegistersFake(), name="first")
    plugin_manager.register(RegistersFake(), name="second")
    with pytest.raises(DuplicateMarketplaceError):
        plugin_manager.marketplaces()
    plugin_manager.unregister(name="second")
    assert list(plugin_manager.marketplaces()) == ["fake"]


def test_non_marketplace_is_refused(plugin_manager):
    class RegistersJunk:
        @hookimpl
        def disputeflow_register_marketplaces(self):
            return [{"name": "dict-shop"}]

    plugin_manager.register(RegistersJunk(), name="junk")
    with pytest.raises(PluginError, match=r"not a disputeflow\.Marketplace") as info:
        plugin_manager.marketplaces()
    assert not isinstance(info.value, DuplicateMarketplaceError)
    assert info.value.plugin == "junk"
    assert "'junk'" in str(info.value)


def test_marketplace_without_name_is_refused(plugin_manager):
    methods = ("example_settings", "verify_delivery", "translate_delivery", "sample_deliveries")
    nameless = type("Nameless", (Marketplace,), {m: FakeMarketplace.__dict__[m] for m in methods})

    class RegistersNameless:
        @hookimpl
        def disputeflow_register_marketplaces(self):
            return [nameless()]

    plugin_manager.register(RegistersNameless(), name="nameless")
    with pytest.raises(PluginError, match="Nameless, which has no name") as info:
        plugin_manager.marketplaces()
    assert info.value.plugin == "nameless"


@pytest.mark.parametrize("name", ["Fake", "x", "1shop", "has-dash", "has space", "a" * 41, "", 5])
def test_invalid_marketplace_name_is_refused(name):
    with pytest.raises(PluginError, match="must match") as info:
        type("Invalid", (FakeMarketplace,), {"name": name})
    assert info.value.plugin == name


@pytest.mark.parametrize("name", ["ab", "shop_2", "a" * 40])
def test_valid_marketplace_names(name):
    adapter_class = type("Valid", (FakeMarketplace,), {"name": name})
    assert adapter_class().name == name


def test_unknown_marketplace_lists_installed(plugin_manager):
    plugin_manager.register(RegistersFake(), name="fakes")
    with pytest.raises(NotFoundError, match=r"no marketplace named 'etsy' \(installed: fake\)"):
        plugin_manager.marketplace("etsy")


def test_marketplaces_are_cached_until_registration_changes(plugin_manager):
    plugin_manager.register(RegistersFake(), name="fakes")
    first = plugin_manager.marketplaces()["fake"]
    assert plugin_manager.marketplaces()["fake"] is first
    plugin_manager.unregister(name="fakes")
    assert plugin_manager.marketplaces() == {}


def test_plugin_infos(monkeypatch, plugin_manager, fake_entry_points):
    monkeypatch.syspath_prepend(str(SITE))  # so that the distribution's version is found
    register_entrypoints(plugin_manager, fake_entry_points)
    infos = {info.name: info for info in plugin_manager.plugin_infos()}
    assert set(infos) == {"fake", *DEFAULT_PLUGINS}
    fake = infos["fake"]
    assert (fake.distribution, fake.version) == (DIST, "1.0")
    assert fake.hooks == ("disputeflow_register_marketplaces",)
    assert fake.marketplaces == ("fake",)
    defaults = infos["disputeflow.features.handling.plugin"]
    assert (defaults.distribution, defaults.version) == (None, None)
    assert defaults.hooks == (
        "disputeflow_check_action",
        "disputeflow_classify_case",
        "disputeflow_connection_details",
        "disputeflow_housekeeping",
        "disputeflow_load_rules",
        "disputeflow_prepare_action",
        "disputeflow_refresh_case",
        "disputeflow_route_case",
        "disputeflow_triage_case",
        "disputeflow_worker_round",
    )
    assert defaults.marketplaces == ()


def test_plugin_manager_fixture_is_isolated(plugin_manager):
    assert isinstance(plugin_manager, PluginManager)
    assert plugin_manager.marketplaces() == {}
    assert {name for name, _ in plugin_manager.list_name_plugin()} == set(DEFAULT_PLUGINS)


def test_entry_point_name_taken_by_another_distribution_is_reported(
    plugin_manager, fake_entry_points
):
    plugin_manager.register(RegistersFake(), name="fake")  # not from the fake distribution
    register_entrypoints(plugin_manager, fake_entry_points)
    errors = {e.name: e.error for e in plugin_manager.load_errors}
    assert "already taken by plugin 'fake'" in errors["fake"]


def test_a_plugin_failing_to_register_marketplaces_is_named(plugin_manager):
    class Exploding:
        @hookimpl
        def disputeflow_register_marketplaces(self):
            raise RuntimeError("no config")

    plugin_manager.register(Exploding(), name="exploding")
    with pytest.raises(PluginError, match=r"plugin 'exploding' failed .*no config") as raised:
        plugin_manager.marketplaces()
    assert raised.value.plugin == "exploding"
