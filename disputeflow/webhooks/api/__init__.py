"""The JSON API under ``/api/v1`` (flask-smorest), its OpenAPI document and docs page.

``/api/openapi.json`` and the documentation page ``/api/docs`` need no token; every
route under ``/api/v1`` does (see :mod:`disputeflow.webhooks.api.auth`). Errors keep the
common shape of :mod:`disputeflow.webhooks.errors`, which this Api defers to.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from disputeflow.webhooks import errors
from disputeflow.webhooks.api import (
    case_links,
    cases,
    connections,
    deliveries,
    docs_page,
    evidence,
    rights,
    schemas,
    sessions,
    tokens,
)

BLUEPRINTS = (
    cases.blp,
    case_links.blp,
    connections.blp,
    deliveries.blp,
    evidence.blp,
    rights.blp,
    tokens.blp,
    sessions.blp,
)

SECURITY_SCHEME = "bearerAuth"

DESCRIPTION = """\
One API for every marketplace's disputes, returns and claims.

Send `Authorization: Bearer <token>` with every request (create tokens with
`disputeflow tokens create` or `POST /api/v1/tokens`). Roles: `viewer` reads, `agent`
also acts on cases, `admin` also manages connections and tokens.

Every list answers `{"items": [...], "next_cursor": ...}`: pass `next_cursor` back as
`?cursor=` for the next page (`null` on the last). Every error answers
`{"code", "status", "message", "errors"}`, `errors` mapping each bad field to its messages.
"""

DEFAULT_CONFIG: dict[str, Any] = {
    "API_TITLE": "disputeflow",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    # /api/docs is served by docs_page, from the installed package (no CDN).
    "API_SPEC_OPTIONS": {
        "info": {"description": DESCRIPTION},
        "security": [{SECURITY_SCHEME: []}],
    },
}


class DisputeflowApi(Api):  # type: ignore[misc]  # flask-smorest is untyped
    """flask-smorest's Api, answering errors in the common shape and documenting it."""

    ERROR_SCHEMA = schemas.ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> tuple[Response, int]:
        return errors.http_error(error)


def init_api(app: Flask) -> DisputeflowApi:
    """Mount the JSON API and its documentation on ``app`` (settings in ``app.config``
    win over :data:`DEFAULT_CONFIG`)."""
    for key, value in DEFAULT_CONFIG.items():
        app.config.setdefault(key, value)
    api = DisputeflowApi(app)
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "An API token (dft_...)."},
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    docs_page.init_app(app)
    return api
