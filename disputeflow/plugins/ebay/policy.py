"""The seller's return policy, from the Account API (``GET /sell/account/v1/return_policy``).

A seller has one policy per listing group; the one marked default for its category type
counts, else the shortest window among those that accept returns (the reading that never
overstates what a buyer is given). The core compares it with each buyer's statutory
minimum. A seller who accepts no returns has a window of 0 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import ReturnPolicy
from disputeflow.plugins.ebay.api import EbayApi
from disputeflow.plugins.ebay.values import dig, text

# TimeDurationUnitEnum -> days per unit (business days counted as days: eBay's return
# periods are stated in days; months and years at their shortest).
UNIT_DAYS = {"DAY": 1, "CALENDAR_DAY": 1, "BUSINESS_DAY": 1, "MONTH": 28, "YEAR": 365}


def window_days(policy: Mapping[str, Any]) -> int | None:
    """Days the policy gives the buyer to return; 0 when it accepts no returns."""
    if policy.get("returnsAccepted") is False:
        return 0
    value, unit = dig(policy, "returnPeriod", "value"), dig(policy, "returnPeriod", "unit")
    if isinstance(value, int) and not isinstance(value, bool) and unit in UNIT_DAYS:
        return value * UNIT_DAYS[str(unit)]
    return None


def _is_default(policy: Mapping[str, Any]) -> bool:
    types = policy.get("categoryTypes")
    return any(isinstance(t, Mapping) and t.get("default") is True for t in types or [])


def choose(policies: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The policy that speaks for the store (see the module docstring)."""
    known = [p for p in policies if window_days(p) is not None]
    defaults = [p for p in known if _is_default(p)]
    candidates = defaults or known
    return min(candidates, key=lambda p: window_days(p) or 0) if candidates else None


def read_policy(api: EbayApi) -> ReturnPolicy | None:
    """The store's return policy on the connection's marketplace, or ``None`` if it has none."""
    marketplace = str(api.connection.settings["marketplace_id"])
    answer = api.sell("GET", "account/v1/return_policy", params={"marketplace_id": marketplace})
    found = dig(answer.body, "returnPolicies")
    policy = choose([p for p in found if isinstance(p, Mapping)] if isinstance(found, list) else [])
    if policy is None:
        return None
    fee = text(policy.get("restockingFeePercentage"))
    digits = "".join(ch for ch in fee or "" if ch in "0123456789")
    return ReturnPolicy(
        window_days=window_days(policy),
        source=f"ebay return policy {text(policy.get('name')) or policy.get('returnPolicyId')}",
        buyer_pays_return_shipping=(
            policy.get("returnShippingCostPayer") == "BUYER"
            if policy.get("returnShippingCostPayer")
            else None
        ),
        restocking_fee_percent=int(digits) if digits else None,
        text=text(policy.get("description")) or "",
    )
