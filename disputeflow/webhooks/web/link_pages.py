"""The case page's "same order" panel: the cases of the same order on other channels, and
an agent's forms to link another case or to unlink one, each with the reason both
timelines record (through :mod:`disputeflow.engine.case_links`, as the API does)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from disputeflow.core.errors import DisputeflowError
from disputeflow.core.taxonomy import Role
from disputeflow.engine import case_links
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web import case_pages
from disputeflow.webhooks.web.auth import current_user, signed_in
from disputeflow.webhooks.web.blueprint import bp


@bp.post("/cases/<case_id>/links")
@signed_in(Role.AGENT)
def case_link(case_id: str) -> Any:
    """Link another case of the same order (by its id), with the reason."""
    return _change(case_id, "link")


@bp.post("/cases/<case_id>/links/remove")
@signed_in(Role.AGENT)
def case_unlink(case_id: str) -> Any:
    """Unlink a case: the two are not one order's; the reason is recorded on both."""
    return _change(case_id, "unlink")


def _change(case_id: str, what: str) -> Any:
    user = current_user()
    assert user is not None
    other = (request.form.get("other_case_id") or "").strip()
    reason = (request.form.get("reason") or "").strip()
    try:
        change = case_links.link if what == "link" else case_links.unlink
        change(current_runtime(), case_id, other, by=user.name, reason=reason)
    except DisputeflowError as error:
        page = render_template(
            "workspace/case.html",
            **case_pages.context(case_id),
            posted=what,
            values=request.form,
            errors={},
            form_error=error.message,
        )
        return page, error.status
    flash("The cases are linked." if what == "link" else "The cases are unlinked.")
    return redirect(url_for("workspace.case_detail", case_id=case_id, _anchor="links"))
