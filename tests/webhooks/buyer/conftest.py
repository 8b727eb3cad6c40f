"""Fixtures for the buyer pages: a store whose platform has no complaint flow of its own
(a fake marketplace that can look orders up), buyer links, and form helpers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from disputeflow import Capabilities, FoundOrder, MarketplaceError, Money, Order, Party, hookimpl
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.features.transparency import links
from tests.core.transparency.conftest import a_return
from tests.fakes.marketplace import FakeMarketplace
from tests.webhooks.api.conftest import agent, make_token  # noqa: F401  # fixtures

ORDER = FoundOrder(
    order=Order("1001", "#1001", Money("59.90", "EUR"), datetime(2026, 11, 2, 9, tzinfo=UTC)),
    buyer=Party(name="Jana", email="jana@example.de", country="DE"),
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class ShopMarketplace(FakeMarketplace):
    """The fake platform, able to prove an order (number 1001, jana@example.de)."""

    name = "shop"
    title = "Shop without a complaint flow"
    capabilities = replace(FakeMarketplace.capabilities, order_lookup=True)
    lookups: ClassVar[list[tuple[str, str]]] = []

    def find_order(self, connection, order_number, email):
        self.lookups.append((order_number, email))
        if order_number == "503":
            raise MarketplaceError("the store is down", transient=True)
        if order_number.strip("# ") == "1001" and email.strip().lower() == "jana@example.de":
            return ORDER
        return None


class ShopPlugin:
    @hookimpl
    def disputeflow_register_marketplaces(self):
        return [ShopMarketplace()]


@pytest.fixture
def fake_plugins(fake_plugins):
    fake_plugins.register(ShopPlugin(), name="shop")
    return fake_plugins


@pytest.fixture
def shop(runtime):
    return runtime.add_connection("shop", "shop", {"signing_secret": "s", "shop": "shop"})


@pytest.fixture
def case_of(runtime, connection):
    """``case_of(snapshot)`` -> (case id, the path of its buyer page)."""

    def make(found=None):
        found = found or a_return("r1")
        case_id = ingest_snapshot(
            runtime.database, runtime.plugins, connection["id"], found
        ).case.id
        url, _ = links.case_link(runtime.secrets, "", case_id)
        return case_id, url

    return make


def csrf_of(html):
    found = CSRF.search(html)
    assert found, "the page carries no form token"
    return found.group(1)


assert Capabilities  # the contract the shop's capabilities come from
