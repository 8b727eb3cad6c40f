"""The eBay marketplace plugin: returns, item-not-received inquiries, cases and payment
disputes, through polling, platform notifications and the Notification API.

See docs/platforms/ebay.md for setup and every mapping table.
"""

from __future__ import annotations

from disputeflow.plugins.ebay.marketplace import EbayMarketplace

__all__ = ["EbayMarketplace"]
