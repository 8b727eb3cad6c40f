"""The merchant workspace: server-rendered pages under ``/workspace`` (docs/workspace.md).

Sign in with an API token; the inbox of every connection's cases, most urgent first; each
case with its timeline, both parties side by side, deadlines, rights and action forms
(through the action outbox) and its evidence packet (edited, saved as a draft, submitted,
summarised in a PDF); prevention analytics with SVG charts and CSV export; and the
dispute ratios of each payment channel. Every script, style and image is served from here.
The pages speak the buyer pages' six languages (:mod:`.locale`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, redirect
from werkzeug.wrappers import Response

from disputeflow.engine.runtime import Runtime
from disputeflow.webhooks.web import (
    analytics_pages,
    auth,
    case_pages,
    connection_pages,
    evidence_pages,
    formatting,
    inbox,
    link_pages,
    locale,
)
from disputeflow.webhooks.web.blueprint import bp

SESSION_PURPOSE = "workspace session cookies"

__all__ = [
    "analytics_pages",
    "auth",
    "case_pages",
    "connection_pages",
    "evidence_pages",
    "inbox",
    "init_web",
    "link_pages",
    "locale",
]


def init_web(app: Flask, runtime: Runtime) -> None:
    """Mount the workspace on ``app``; sessions are signed with a key derived from the
    installation's secret key (unless ``SECRET_KEY`` is configured)."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = runtime.secrets.derive_key(SESSION_PURPOSE)
    app.config.update(
        SESSION_COOKIE_NAME="disputeflow_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=runtime.settings.public_url.startswith("https:"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    formatting.install(app.jinja_env, locale.current)
    app.register_blueprint(bp)
    app.add_url_rule("/", "workspace_home", _home)


def _home() -> Response:
    return redirect("/workspace/")
