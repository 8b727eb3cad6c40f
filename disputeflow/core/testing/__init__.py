"""The conformance kit every marketplace plugin runs against its own adapter.

Subclass :class:`MarketplaceAdapterTests` in the plugin's test suite and override its
required fixtures; see :mod:`disputeflow.core.testing.marketplace` for the full recipe.
This package imports pytest, so import it from tests only.
"""

from __future__ import annotations

import pytest

# Rewrite asserts in the kit so a failing check shows the values, as in the plugin's own tests.
pytest.register_assert_rewrite(
    "disputeflow.core.testing.marketplace",
    "disputeflow.core.testing.support",
    "disputeflow.core.testing.update_only",
    "disputeflow.core.testing.webhooks",
    "disputeflow.core.testing.probes",
)

from disputeflow.core.testing.marketplace import (  # noqa: E402
    BaseCapabilityTests,
    BaseIdentityTests,
    BaseSettingsTests,
    BaseTranslationTests,
    MarketplaceAdapterTests,
)
from disputeflow.core.testing.support import (  # noqa: E402
    MarketplaceFixtures,
    make_connection,
    minimal_case,
    snapshots_of,
    store_delivery,
    translate_request,
)
from disputeflow.core.testing.update_only import BaseUpdateOnlyTests  # noqa: E402
from disputeflow.core.testing.webhooks import BaseWebhookTests  # noqa: E402

__all__ = [
    "BaseCapabilityTests",
    "BaseIdentityTests",
    "BaseSettingsTests",
    "BaseTranslationTests",
    "BaseUpdateOnlyTests",
    "BaseWebhookTests",
    "MarketplaceAdapterTests",
    "MarketplaceFixtures",
    "make_connection",
    "minimal_case",
    "snapshots_of",
    "store_delivery",
    "translate_request",
]
