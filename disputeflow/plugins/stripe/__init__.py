"""Stripe disputes, inquiries and early fraud warnings as disputeflow cases (entry point
``stripe``): signed webhooks, polling of the disputes list, evidence, accepting, refunds, and
the count of successful payments the dispute-ratio monitor divides by.

Written as a third party writes a plugin: from ``disputeflow plugin new stripe``, importing
only the public API (``disputeflow`` and ``disputeflow.core``). docs/platforms/stripe.md lists
every call with its source.
"""
