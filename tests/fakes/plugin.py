"""A plugin module that registers :class:`FakeMarketplace`, as a third-party plugin would.

``tests/data/site`` holds a fake distribution whose ``disputeflow`` entry point names it.
"""

from __future__ import annotations

from disputeflow import hookimpl
from tests.fakes.marketplace import FakeMarketplace


@hookimpl
def disputeflow_register_marketplaces():
    return [FakeMarketplace()]
