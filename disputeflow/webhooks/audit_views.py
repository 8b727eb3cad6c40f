"""Views of a buyer's personal data on the audit trail: who looked at which case, and where.

One ``after_request`` hook for every page that shows a case's buyer, so that no view
records its own (and a page added later joins by naming its endpoint here). The buyer's
own page records its views itself (the link is its only caller).
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from disputeflow.engine.store import audit
from disputeflow.webhooks.api.auth import current_runtime

# endpoint -> where the case was seen
PERSONAL_DATA_VIEWS = {
    "cases.CaseDetail": "api_case_detail",
    "workspace.case_detail": "workspace_case_page",
}


def _viewer() -> str:
    caller = g.get("disputeflow_caller") or g.get("workspace_user")
    name = getattr(caller, "name", None)
    return f"token:{name}" if name else "unknown"


def _record(response: Response) -> Response:
    surface = PERSONAL_DATA_VIEWS.get(request.endpoint or "")
    if surface is None or request.method != "GET" or response.status_code != 200:
        return response
    case_id = (request.view_args or {}).get("case_id")
    if isinstance(case_id, str):
        with current_runtime().database.session() as session:
            audit.record(session, audit.VIEW, surface, case_id=case_id, actor=_viewer())
    return response


def init_app(app: Flask) -> None:
    app.after_request(_record)
