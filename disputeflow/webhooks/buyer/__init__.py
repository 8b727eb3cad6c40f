"""Pages for buyers, served by disputeflow itself (docs/transparency.md): each case's signed
page with its status, steps, deadlines, expected resolution, statutory rights and messages,
where the buyer replies and adds evidence; and the request form for stores whose platform
has no return or complaint flow of its own. Server-rendered, no script, six languages.
"""

from __future__ import annotations

from flask import Flask

from disputeflow.webhooks.buyer import case_page, request_form
from disputeflow.webhooks.buyer.blueprint import bp

__all__ = ["case_page", "init_buyer", "request_form"]


def init_buyer(app: Flask) -> None:
    """Mount the buyer pages under ``/buyer``."""
    app.register_blueprint(bp)
