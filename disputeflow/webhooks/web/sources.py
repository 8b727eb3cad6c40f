"""Where a deadline comes from, in words: "eBay's response deadline", not ``ebay:respond_by``.

A platform's deadline source is ``<platform>`` or ``<platform>:<key>[:detail]`` (the
plugins' own naming); a deadline disputeflow computed is ``disputeflow:<rule>:<detail>``
(:mod:`disputeflow.features.handling.deadlines`). Keys not listed here still read as the
marketplace's deadline, with the key as the detail.
"""

from __future__ import annotations

from collections.abc import Callable

from disputeflow.core.values import COMPUTED_SOURCE
from disputeflow.webhooks.web.words import N_

PLATFORM_KEYS = {
    "respond_by": N_("%(platform)s's response deadline"),
    "case_expires": N_("%(platform)s's deadline before the case closes"),
    "refund_deadline": N_("%(platform)s's refund deadline"),
    "seller_make_it_right_by": N_("%(platform)s's deadline to make it right"),
    "days_to_expire_without_response": N_("%(platform)s's response deadline (counted in days)"),
    "days_to_return_item": N_("%(platform)s's deadline for the buyer to send the item back"),
    "days_for_proof_of_shipment": N_("%(platform)s's deadline for the buyer's proof of shipment"),
    "cancel_respond_by": N_("%(platform)s's deadline to answer the cancellation request"),
    "buyer_escalation_window": N_("The buyer's window to ask %(platform)s to step in"),
    "refund_2_business_days": N_(
        "%(platform)s's refund deadline (two business days after delivery)"
    ),
    "evidence_request": N_("%(platform)s's deadline for the evidence it asked for"),
}
PLAIN = N_("%(platform)s's response deadline")
OTHER = N_("%(platform)s's deadline (%(detail)s)")
COMPUTED = {
    "network": N_("The card network's response window (%(detail)s), computed by disputeflow"),
    "statutory": N_("The refund deadline the law of %(detail)s sets, computed by disputeflow"),
    "sla": N_("Your first-response target, computed by disputeflow"),
    "information_request": N_("The buyer's time to answer your request, computed by disputeflow"),
}
COMPUTED_OTHER = N_("Computed by disputeflow (%(detail)s)")
NETWORKS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express",
            "discover": "Discover"}  # fmt: skip
UNKNOWN_NETWORK = N_("network not known")
# Payment providers that state deadlines without being a marketplace plugin's name.
PROVIDERS = {"woopayments": "WooPayments"}


def describe(
    source: str,
    gettext: Callable[..., str],
    title: Callable[[str], str],
    country: Callable[[str], str],
) -> str:
    """``source`` in words; ``title`` names a marketplace, ``country`` a country code."""
    if source.startswith(COMPUTED_SOURCE):
        rule, _, detail = source.removeprefix(COMPUTED_SOURCE).partition(":")
        if rule == "network":
            name = NETWORKS.get(detail) or gettext(UNKNOWN_NETWORK)
            return gettext(COMPUTED[rule], detail=name)
        if rule == "statutory":
            return gettext(COMPUTED[rule], detail=country(detail))
        if rule in COMPUTED:
            return gettext(COMPUTED[rule])
        return gettext(COMPUTED_OTHER, detail=source.removeprefix(COMPUTED_SOURCE))
    platform, _, rest = source.partition(":")
    name = PROVIDERS.get(platform) or title(platform)
    key = rest.split(":", 1)[0]
    if not rest:
        return gettext(PLAIN, platform=name)
    if key in PLATFORM_KEYS:
        return gettext(PLATFORM_KEYS[key], platform=name)
    return gettext(OTHER, platform=name, detail=rest)
