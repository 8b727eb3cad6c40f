"""Signing in to the workspace with an API token, and the forms' forgery protection.

An agent pastes a token (``disputeflow tokens create``); the workspace keeps only the
token's *id* in a signed session cookie (HttpOnly, SameSite=Lax, Secure behind https), and
looks the token up on every request, so revoking it signs the browser out at once. Roles
are the API's: viewer reads, agent acts on cases, admin does everything.

Every POST carries ``csrf_token``, a random value kept in the session and compared in
constant time; a form without it, or from another session, is refused with 400.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from disputeflow.core.clock import utcnow
from disputeflow.core.store import tokens
from disputeflow.core.store.tables import TokenRow
from disputeflow.core.taxonomy import Role
from disputeflow.webhooks.api.auth import Caller, current_runtime
from disputeflow.webhooks.web.blueprint import bp

F = TypeVar("F", bound=Callable[..., Any])

CSRF_FIELD = "csrf_token"
_USER_KEY = "token_id"
_CSRF_KEY = "csrf"


def csrf_token() -> str:
    """This session's form token (made on first use)."""
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "CSRF_FIELD": CSRF_FIELD}


@bp.before_request
def _check_forms() -> None:
    """Refuse a state-changing request whose form token does not match the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(_CSRF_KEY)
    if not isinstance(expected, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(
            400,
            "This form has expired or did not come from this workspace. Reload the page "
            "and send it again.",
        )


@bp.before_request
def _load_user() -> None:
    g.workspace_user = None
    token_id = session.get(_USER_KEY)
    if not isinstance(token_id, str):
        return
    with current_runtime().database.session(readonly=True) as db:
        row = db.scalar(select(TokenRow).where(TokenRow.id == token_id))
        if row is not None and row.revoked_at is None:
            g.workspace_user = Caller(row.id, row.name, Role(row.role))
    if g.workspace_user is None:
        session.pop(_USER_KEY, None)


def current_user() -> Caller | None:
    """Who is signed in, or ``None``."""
    user: Caller | None = g.get("workspace_user")
    return user


def signed_in(role: Role = Role.VIEWER) -> Callable[[F], F]:
    """A view for signed-in users of at least ``role`` (others: sign in, or 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("workspace.sign_in", next=request.full_path))
            if not user.can(role):
                abort(
                    403,
                    f"This needs the {role} role; you are signed in as {user.name} "
                    f"with the {user.role} role.",
                )
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is followed after signing in."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("workspace.inbox")
    return target.rstrip("?") or url_for("workspace.inbox")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """Paste an API token to sign in."""
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("workspace/sign_in.html", next_url=next_url, error=None)
    token = request.form.get("token", "").strip()
    error = None
    if not token:
        error = "Paste your API token."
    else:
        runtime = current_runtime()
        with runtime.database.session(readonly=True) as db:
            row = tokens.authenticate(db, token)
            token_id = row.id if row else None
        if token_id is None:
            error = "That token is unknown or revoked."
        else:
            with runtime.database.session() as db:
                tokens.touch(db, token_id, utcnow())
            session.clear()  # a fresh session: no fixation
            session[_USER_KEY] = token_id
            session.permanent = True
            csrf_token()
            return redirect(next_url)
    page = render_template("workspace/sign_in.html", next_url=next_url, error=error)
    return page, 401


@bp.post("/sign-out")
def sign_out() -> Response:
    """Forget the session."""
    session.clear()
    return redirect(url_for("workspace.sign_in"))
