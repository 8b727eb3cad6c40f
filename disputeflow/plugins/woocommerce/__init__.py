"""WooCommerce for disputeflow: WooPayments disputes, returns extensions and order refunds.

See ``docs/platforms/woocommerce.md`` for setup (the key flow and manual keys) and the full
mapping tables.
"""
