"""The case's evidence packet page: the packet assembled now (what is there, from where, for
which field; what the category still lacks and why; the plugins that failed), an agent's
form to edit it, add and remove files, save a draft on the platform and submit, and the
packet's PDF summary to download.

Assembling asks the platform (through its plugin), so it has a page of its own, one click
from the case page, rather than slowing the case page down each time it reloads. The form
works without script: one POST with the edits and the button pressed (``then``: save, draft,
submit); the edits are stored first (:func:`~disputeflow.features.evidence.edits.apply`),
then a draft or submission is queued in the outbox
(:func:`~disputeflow.features.evidence.submit.submit`), as the API does.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from disputeflow.core.errors import ActionNotAllowedError, DisputeflowError
from disputeflow.core.taxonomy import ActionType, Role
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.evidence import catalogue, edits, summary
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.packet import Packet
from disputeflow.features.evidence.submit import LIVE, submit
from disputeflow.features.transparency import files
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.downloads import disposition, download
from disputeflow.webhooks.web import evidence_forms, evidence_view
from disputeflow.webhooks.web.auth import current_user, signed_in
from disputeflow.webhooks.web.blueprint import bp, error_page, error_words
from disputeflow.webhooks.web.forms import FormError
from disputeflow.webhooks.web.locale import current
from disputeflow.webhooks.web.words import N_

SAVE_ENDPOINT = "workspace.case_evidence_save"
# Room for one agent's file (5 MB) and the texts of the form around it.
MAX_FORM_BYTES = files.MAX_FILE_BYTES + 2 * 1024 * 1024
DONE = {
    "save": N_("The packet is saved."),
    "draft": N_("Saved as a draft on %(marketplace)s: queued."),
    "submit": N_("Submitted to %(marketplace)s: queued."),
}


@bp.before_app_request
def _form_limit() -> None:
    """The packet form carries a file: a larger body than the workspace's other forms (set
    before the forgery check reads the form)."""
    if request.endpoint == SAVE_ENDPOINT:
        request.max_content_length = MAX_FORM_BYTES


def _held(case_id: str, packet: Packet) -> dict[str, Any]:
    """What the store says around the packet: the case, its store, its action's status."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        connection = session.get(ConnectionRow, case.connection_id)
        action = packet.state.action_id
        status = actions.get(session, action).status if action else None
    return {"case": case, "store": connection.name if connection else case.connection_id,
            "status": status}  # fmt: skip


def context(case_id: str) -> dict[str, Any]:
    """Everything the packet page shows."""
    reader, user = current(), current_user()
    packet = assemble(current_runtime(), case_id)
    held = _held(case_id, packet)
    cards = evidence_view.cards(reader, packet)
    shown = {card.name for card in cards} | {m.name for m in packet.missing}
    locked = packet.state.state == "submitted" and held["status"] in LIVE
    return {
        **held,
        "packet": packet,
        "cards": cards,
        "files": evidence_view.files(reader, packet),
        "missing": evidence_view.missing(reader, packet),
        "addable": evidence_view.choices(reader, shown),
        "file_items": evidence_view.choices(reader),
        "summary_note": evidence_view.summary_note(reader, packet),
        "state_line": evidence_view.state_line(reader, packet, held["status"]),
        "drafts": catalogue.platform(packet.platform).drafts,
        "contestable": ActionType.CONTEST in held["case"].allowed_actions,
        "locked": locked,
        "can_act": bool(user and user.can(Role.AGENT)),
        "origin": lambda item: evidence_view.origin(reader, item, packet.platform),
        "max_files": edits.MAX_FILES,
        "text_limit": edits.TEXT_LIMIT,
    }


def _page(case_id: str, *, values: Any = None, errors: Any = None, error: str | None = None,
          status: int = 200) -> tuple[str, int]:  # fmt: skip
    page = render_template("workspace/evidence.html", **context(case_id), values=values or {},
                           errors=errors or {}, form_error=error)  # fmt: skip
    return page, status


@bp.get("/cases/<case_id>/evidence")
@signed_in()
def case_evidence(case_id: str) -> Any:
    """The case's evidence packet as it stands now."""
    return _page(case_id)


def _refusal(case_id: str, error: DisputeflowError) -> tuple[str, int]:
    """The page again, with the posted texts and the reader's words for the refusal."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        platform = cases.get(session, case_id).platform
    fields, words = evidence_forms.problems(error, current().marketplace(platform))
    if isinstance(error, ActionNotAllowedError):
        words = current().gettext("Refused: %(reason)s", reason=error.message)
    message = words or current().gettext("Please correct the fields marked below.")
    if not fields and not words:
        message = error.message
    return _page(case_id, values=request.form, errors=fields, error=message, status=error.status)


def _check_drafts(case_id: str, then: str) -> None:
    """A draft where the platform keeps none is refused before anything is stored."""
    if then != "draft":
        return
    with current_runtime().database.session(readonly=True) as session:
        platform = cases.get(session, case_id).platform
    if not catalogue.platform(platform).drafts:
        reader = current()
        raise ActionNotAllowedError(reader.gettext(
            "%(marketplace)s keeps no evidence drafts: your work is kept here until you submit.",
            marketplace=reader.marketplace(platform)))  # fmt: skip


def _send(case_id: str, then: str, by: str) -> str:
    """Queue the draft or the submission; the flash that says so."""
    _action, created, packet = submit(current_runtime(), case_id, draft=then == "draft", by=by)
    reader = current()
    if not created:
        return reader.gettext("This packet was sent already: nothing changed since.")
    return reader.gettext(DONE[then], marketplace=reader.marketplace(packet.platform))


@bp.post("/cases/<case_id>/evidence")
@signed_in(Role.AGENT)
def case_evidence_save(case_id: str) -> Any:
    """Store the agent's edits, then save a draft on the platform or submit, as pressed."""
    user = current_user()
    assert user is not None
    then = request.form.get("then", "save")
    then = then if then in evidence_forms.ACTIONS else "save"
    try:
        change = evidence_forms.parse(request.form, request.files)
        _check_drafts(case_id, then)
        edits.apply(current_runtime(), case_id, change, by=user.name)
        if then == "save":
            said = current().gettext(DONE["save"])
        else:
            said = _send(case_id, then, user.name)
    except FormError as error:
        return _page(case_id, values=request.form, errors=error.errors, error=error.message,
                     status=422)  # fmt: skip
    except DisputeflowError as error:
        if error.status == 404:
            raise
        return _refusal(case_id, error)
    flash(said)
    return redirect(url_for("workspace.case_evidence", case_id=case_id, _anchor="packet-state"))


@bp.get("/cases/<case_id>/evidence/summary.pdf")
@signed_in()
def case_evidence_summary(case_id: str) -> Response:
    """The packet's PDF summary, as it would go to the platform now."""
    runtime = current_runtime()
    packet = assemble(runtime, case_id)
    facts = summary.facts_of(runtime, case_id)
    try:
        data = summary.pdf(packet, facts)
    except summary.SummaryUnavailableError as error:
        words = current().gettext("The PDF summary cannot be made on this server: WeasyPrint "
                                  "or Pango is missing (README, System packages).")  # fmt: skip
        page, status = error_page(error.status, *error_words(error.status, words))
        return Response(page, status=status, mimetype="text/html")
    response = Response(data, mimetype=summary.CONTENT_TYPE)
    response.headers["Content-Disposition"] = disposition(summary.filename(facts.case))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cases/<case_id>/evidence/files/<file_id>")
@signed_in()
def case_evidence_file(case_id: str, file_id: str) -> Response:
    """A file of the case's evidence, as a download."""
    runtime = current_runtime()
    with runtime.database.session(readonly=True) as session:
        row = files.find(session, case_id, file_id)
    return download(runtime, row)
