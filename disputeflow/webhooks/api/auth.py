"""Bearer tokens with roles: viewer reads, agent acts on cases, admin manages everything.

Every API blueprint is an :class:`ApiBlueprint`, which checks the token before any of its
views runs (and before the request is parsed): a missing, unknown or revoked token is a
401 with ``WWW-Authenticate: Bearer``; a token whose role is too low is a 403. Safe
methods (GET, HEAD, OPTIONS) need the blueprint's ``read`` role, the others its ``write``
role. The caller is then available as :func:`current_caller` (its name is recorded as who
requested an action).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import flask_smorest
from flask import Response, current_app, g, request
from flask.views import MethodView

from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import tokens
from disputeflow.webhooks import auth_limits, json_depth
from disputeflow.webhooks.errors import error_response

F = TypeVar("F", bound=Callable[..., Any])

RANK: dict[Role, int] = {Role.VIEWER: 0, Role.AGENT: 1, Role.ADMIN: 2}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = "disputeflow"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's id, name and role."""

    token_id: str
    name: str
    role: Role

    def can(self, needed: Role) -> bool:
        return RANK[self.role] >= RANK[needed]


def current_runtime() -> Runtime:
    """The runtime of the app serving this request."""
    runtime: Runtime = current_app.extensions["disputeflow"]
    return runtime


def current_caller() -> Caller:
    """The authenticated caller of this request (set by :func:`authorize`)."""
    caller: Caller = g.disputeflow_caller
    return caller


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``, or ``None``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _unauthorized(code: str, message: str, header: str) -> tuple[Response, int]:
    response, status = error_response(401, code, message)
    response.headers["WWW-Authenticate"] = header
    return response, status


def authorize(needed: Role) -> tuple[Response, int] | None:
    """``None`` when the request carries a live token of at least ``needed``; else the
    401 or 403 answer."""
    token = bearer_token()
    if token is None:
        message = "this route needs a token: send Authorization: Bearer <token>"
        return _unauthorized("unauthorized", message, f'Bearer realm="{REALM}"')
    runtime = current_runtime()
    if auth_limits.blocked(runtime):
        response, status = error_response(
            429, "too_many_requests", "too many failed authentications from this client"
        )
        response.headers["Retry-After"] = auth_limits.retry_after()
        return response, status
    now = utcnow()
    with runtime.database.session(readonly=True) as session:
        row = tokens.authenticate(session, token)
        caller = Caller(row.id, row.name, Role(row.role)) if row else None
        stale = row is not None and tokens.needs_touch(row, now)
    if caller is not None and stale:
        with runtime.database.session() as session:
            tokens.touch(session, caller.token_id, now)
    if caller is None:
        auth_limits.failed(runtime)
        header = f'Bearer realm="{REALM}", error="invalid_token"'
        return _unauthorized("invalid_token", "the token is unknown or revoked", header)
    g.disputeflow_caller = caller
    if not caller.can(needed):
        return error_response(
            403,
            "forbidden",
            f"this needs the {needed} role; token {caller.name!r} has the {caller.role} role",
        )
    return None


class ApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest is untyped
    """A flask-smorest blueprint whose routes all need a token (see the module docstring).

    Its decorators are typed, and each operation is documented with its 401 and 403
    answers and the role it needs (``x-required-role``).
    """

    def __init__(
        self, name: str, import_name: str, *, url_prefix: str, description: str,
        read: Role, write: Role,
    ) -> None:  # fmt: skip
        super().__init__(name, import_name, url_prefix=url_prefix, description=description)
        self.read_role = read
        self.write_role = write
        self.before_request(self._authorize)

    def role_for(self, method: str) -> Role:
        return self.read_role if method.upper() in SAFE_METHODS else self.write_role

    def _authorize(self) -> tuple[Response, int] | None:
        refused = authorize(self.role_for(request.method))
        if refused is None:
            json_depth.check_body()  # only now is the body read (400 when nested too deep)
        return refused

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        register = super().route(rule, **options)

        def decorator(view: F) -> F:
            if isinstance(view, type) and issubclass(view, MethodView):
                for method in view.methods or ():
                    function = getattr(view, method.lower())
                    doc = self.doc(
                        responses={
                            "401": "UNAUTHORIZED",
                            "403": "FORBIDDEN",
                            "429": "TOO_MANY_REQUESTS",
                        },
                        **{"x-required-role": str(self.role_for(method))},
                    )
                    setattr(view, method.lower(), doc(function))
            return cast(F, register(view))

        return decorator

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().arguments(schema, **kwargs))

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().response(status_code, schema, **kwargs))

    def alt_response(self, status_code: int, **kwargs: Any) -> Callable[[F], F]:
        return cast(Callable[[F], F], super().alt_response(status_code, **kwargs))
