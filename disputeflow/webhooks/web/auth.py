"""Signing in to the workspace with an API token, and the forms' forgery protection.

An agent pastes a token (``disputeflow tokens create``); the workspace keeps a server-side
session (:mod:`disputeflow.engine.store.sessions`) and only its random id in a signed cookie
(HttpOnly, SameSite=Lax, Secure behind https). Every request looks the session and its
token up, so signing out, revoking the session or revoking the token ends it at once, and
a cookie copied before sign-out is refused. Failed sign-ins are limited per client
(:mod:`disputeflow.webhooks.auth_limits`). Roles are the API's: viewer reads, agent acts
on cases, admin does everything.

Every POST carries ``csrf_token``, a random value kept in the session and compared in
constant time; a form without it, or from another session, is refused with 400.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import NotFoundError
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import sessions, tokens
from disputeflow.webhooks import auth_limits
from disputeflow.webhooks.api.auth import Caller, current_runtime
from disputeflow.webhooks.web.blueprint import bp
from disputeflow.webhooks.web.locale import current

F = TypeVar("F", bound=Callable[..., Any])

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "sid"
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
            current().gettext(
                "This form has expired or did not come from this workspace. Reload the page "
                "and send it again."
            ),
        )


@bp.before_request
def _load_user() -> None:
    g.workspace_user = None
    session_id = session.get(_SESSION_KEY)
    if not isinstance(session_id, str):
        return
    runtime, now, stale = current_runtime(), utcnow(), False
    with runtime.database.session(readonly=True) as db:
        found = sessions.live(db, session_id, now)
        if found is not None:
            token = found[1]
            g.workspace_user = Caller(token.id, token.name, Role(token.role))
            stale = sessions.needs_touch(found[0], now)
    if g.workspace_user is None:
        session.pop(_SESSION_KEY, None)
        return
    if stale:  # a write at most once a minute, not on every page
        with runtime.database.session() as db:
            sessions.touch(db, session_id, now)


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
                reader = current()
                abort(403, reader.gettext(
                    "This needs the %(role)s role; you are signed in as %(name)s with the "
                    "%(yours)s role.", role=reader.term(role, "role"), name=user.name,
                    yours=reader.term(user.role, "role"),
                ))  # fmt: skip
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
    runtime, _ = current_runtime(), current().gettext
    if not token:
        error, status = _("Paste your API token."), 401
    elif auth_limits.blocked(runtime):
        error, status = _("Too many failed sign-ins from here. Try again in a few minutes."), 429
    else:
        with runtime.database.session(readonly=True) as db:
            row = tokens.authenticate(db, token)
            token_id = row.id if row else None
        if token_id is not None:
            _start_session(token_id)
            return redirect(next_url)
        auth_limits.failed(runtime)
        error, status = _("That token is unknown or revoked."), 401
    page = render_template("workspace/sign_in.html", next_url=next_url, error=error)
    headers = {"Retry-After": auth_limits.retry_after()} if status == 429 else {}
    return page, status, headers


def _start_session(token_id: str) -> None:
    """A fresh server-side session (no fixation: the cookie is cleared first)."""
    with current_runtime().database.session() as db:
        tokens.touch(db, token_id, utcnow())
        session_id = sessions.create(db, token_id, client=request.remote_addr or "",
                                     user_agent=request.user_agent.string)  # fmt: skip
    session.clear()
    session[_SESSION_KEY] = session_id
    session.permanent = True
    csrf_token()


@bp.post("/sign-out")
def sign_out() -> Response:
    """End the session on the server (a copy of the cookie is refused afterwards)."""
    session_id = session.get(_SESSION_KEY)
    if isinstance(session_id, str):
        with contextlib.suppress(NotFoundError), current_runtime().database.session() as db:
            sessions.revoke(db, session_id)
    session.clear()
    return redirect(url_for("workspace.sign_in"))
