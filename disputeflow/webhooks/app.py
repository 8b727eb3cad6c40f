"""The Flask application factory: the one place a Flask app is made."""

from __future__ import annotations

from typing import Any

from flask import Flask

from disputeflow.engine.runtime import Runtime
from disputeflow.webhooks import audit_views, auth_limits, errors, health, intake, json_depth
from disputeflow.webhooks.api import init_api
from disputeflow.webhooks.buyer import init_buyer
from disputeflow.webhooks.web import init_web


def create_app(runtime: Runtime, config: dict[str, Any] | None = None) -> Flask:
    """An app serving ``runtime``: health, webhook intake, the JSON API and its docs, the
    merchant workspace and the buyer pages."""
    app = Flask("disputeflow")
    app.config.update(MAX_CONTENT_LENGTH=runtime.settings.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the model's field order
    app.config.update(config or {})
    app.extensions["disputeflow"] = runtime
    json_depth.init_app(app)  # first: nothing parses a body nested beyond any real payload
    app.register_blueprint(health.blueprint)
    app.register_blueprint(intake.blueprint)
    for blueprints in runtime.plugins.hook.disputeflow_register_blueprints():
        for blueprint in blueprints or ():
            app.register_blueprint(blueprint)
    init_api(app)
    init_web(app, runtime)
    init_buyer(app)
    audit_views.init_app(app)  # views of a buyer's personal data go on the audit trail
    errors.init_app(app)  # after the API, so the common error shape wins everywhere
    auth_limits.trust_proxies(app, runtime.settings.trusted_proxies)  # docs/deploy.md
    return app


def runtime_of(app: Flask) -> Runtime:
    """The runtime an app was created with."""
    runtime: Runtime = app.extensions["disputeflow"]
    return runtime
