"""``GET /healthz``: is the process up and the database reachable?"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text

from disputeflow.engine.store import case_search, migrate
from disputeflow.webhooks.errors import error_response

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Any:
    """200 with the database and schema revision, or 503 when the database is unreachable."""
    runtime = current_app.extensions["disputeflow"]
    try:
        with runtime.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = migrate.current_revision(runtime.database)
        search = case_search.check(runtime.database)
    except Exception as error:
        return error_response(503, "database_unavailable", f"database unreachable: {error}")
    return {
        "status": "ok",
        "database": runtime.database.dialect,
        "schema": revision,
        "schema_current": revision == migrate.head_revision(),
        # false: q= reads every case (`disputeflow db current` says what to run)
        "search_indexed": search.indexed,
        "marketplaces": sorted(runtime.plugins.marketplaces()),
    }
