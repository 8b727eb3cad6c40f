"""Shopify for disputeflow: Shopify Payments disputes, returns, refunds and the compliance
topics, through webhooks, polling and the Admin API. See docs/platforms/shopify.md."""
