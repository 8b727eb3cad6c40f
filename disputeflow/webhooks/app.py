"""The Flask application factory: the one place a Flask app is made."""

from __future__ import annotations

from typing import Any

from flask import Flask

from disputeflow.core.runtime import Runtime
from disputeflow.webhooks import errors, health, intake


def create_app(runtime: Runtime, config: dict[str, Any] | None = None) -> Flask:
    """An app serving ``runtime``: health, (soon) webhook intake and the JSON API."""
    app = Flask("disputeflow")
    app.config.update(
        MAX_CONTENT_LENGTH=runtime.settings.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.extensions["disputeflow"] = runtime
    errors.init_app(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(intake.blueprint)
    return app


def runtime_of(app: Flask) -> Runtime:
    """The runtime an app was created with."""
    runtime: Runtime = app.extensions["disputeflow"]
    return runtime
