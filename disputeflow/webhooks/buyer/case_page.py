"""A buyer's case page behind its signed link: read, reply, add evidence, download files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, abort, redirect, request, url_for
from werkzeug.datastructures import FileStorage

from disputeflow.core.errors import InvalidInputError
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import audit, cases
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.handling.store_policy import store_policy_of
from disputeflow.features.i18n import Formatter
from disputeflow.features.transparency import buyer_input, expected, files, links, ratelimit
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.buyer import view
from disputeflow.webhooks.buyer.blueprint import bp, reader, render
from disputeflow.webhooks.downloads import download

REPLIES_PER_HOUR = 20
VIEWER = "buyer link"


def _checked(runtime: Runtime, case_id: str, token: str) -> None:
    """Refuse (403, or 410 when expired) a link not signed for this very case."""
    links.check_case_token(runtime.secrets, case_id, token)


def uploads_of(values: list[FileStorage]) -> list[files.Upload]:
    """The files a form sent (empty file inputs left out), read up to the size limit + 1."""
    found = []
    for item in values:
        if not item or not item.filename:
            continue
        data = item.stream.read(files.MAX_FILE_BYTES + 1)
        found.append(files.Upload(item.filename, data))
    return found


def _page(runtime: Runtime, case_id: str, token: str, **extra: Any) -> tuple[str, int]:
    with runtime.database.session(readonly=True) as session:
        case = cases.get(session, case_id)
        estimate = expected.estimate(session, case)
        policy = store_policy_of(session.get(ConnectionRow, case.connection_id))
    with runtime.database.session() as session:  # the buyer's personal data was shown
        audit.record(session, audit.VIEW, "buyer_page", case_id=case_id, actor=VIEWER)
    buyer = case.buyer
    fmt = reader(buyer.locale if buyer else None, country=buyer.country if buyer else None)
    status = extra.pop("status", 200)
    error = extra.pop("error", None)
    return render(
        "buyer/case.html",
        fmt,
        status,
        token=token,
        sent=request.args.get("sent") == "1",
        errors=[problem_text(fmt, error)] if error else [],
        values=extra.pop("values", {}),
        **view.context(fmt, case, estimate, policy.window_days if policy else None),
    )


@bp.get("/cases/<case_id>/<token>")
def case(case_id: str, token: str) -> Any:
    """The buyer's case."""
    runtime = current_runtime()
    _checked(runtime, case_id, token)
    return _page(runtime, case_id, token)


@bp.post("/cases/<case_id>/<token>/reply")
def reply(case_id: str, token: str) -> Any:
    """The buyer's reply and files, then back to the page."""
    runtime = current_runtime()
    _checked(runtime, case_id, token)
    with runtime.database.session(readonly=True) as session:
        buyer = cases.get(session, case_id).buyer
    reader(buyer.locale if buyer else None)  # errors below speak the buyer's language
    if not ratelimit.hit(
        runtime.database, f"reply:{case_id}", limit=REPLIES_PER_HOUR, window=timedelta(hours=1)
    ):
        abort(429)
    text = request.form.get("message", "")
    try:
        buyer_input.add_reply(runtime, case_id, text, uploads_of(request.files.getlist("files")))
    except InvalidInputError as error:
        return _page(runtime, case_id, token, status=422, error=error, values={"message": text})
    lang = request.values.get("lang")
    target = url_for("buyer.case", case_id=case_id, token=token, sent=1, lang=lang)
    return redirect(target, 303)


def problem_text(fmt: Formatter, error: InvalidInputError) -> str:
    _ = fmt.gettext
    codes = {str(m) for messages in error.errors.values() for m in messages}
    if "too_large" in codes:
        return _("Each file may be at most 5 MB. Please send smaller files.")
    if "type_not_allowed" in codes:
        return _("Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be added.")
    if "too_many" in codes:
        return _("Please add at most 5 files.")
    if "case_limit" in codes:
        return _("No more files can be added to this case. Please contact the store.")
    if "too_long" in codes:
        return _("Your message is too long.")
    return _("Please write a message or add a file.")


@bp.get("/cases/<case_id>/<token>/files/<file_id>")
def file(case_id: str, token: str, file_id: str) -> Response:
    """A file of this case, as a download: never shown as a page."""
    runtime = current_runtime()
    _checked(runtime, case_id, token)
    with runtime.database.session(readonly=True) as session:
        row = files.find(session, case_id, file_id)
    return download(runtime, row)
