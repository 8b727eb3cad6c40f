"""Failed sign-ins and failed API authentications, limited per client.

A wrong token (at the workspace's sign-in or as an API bearer token) counts against the
client's address; once :data:`FAILURES` are counted within :data:`WINDOW`, that client is
answered 429 before any token is even looked up, until the window ends. A request that
sends no token at all is not counted (it guesses nothing).

The client is ``request.remote_addr``: the socket's peer, or, only when
``DISPUTEFLOW_TRUSTED_PROXIES`` is set, the address Werkzeug's ``ProxyFix`` takes from
``X-Forwarded-For`` that many proxies back (docs/deploy.md). Without trusted proxies a
forged ``X-Forwarded-For`` changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from disputeflow.engine.runtime import Runtime
from disputeflow.features.transparency import ratelimit

FAILURES = 20
WINDOW = timedelta(minutes=10)


def _key() -> str:
    return f"auth-failed:{request.remote_addr or 'unknown'}"


def blocked(runtime: Runtime) -> bool:
    """Whether this client has failed too often to be heard now."""
    return ratelimit.count(runtime.database, _key(), window=WINDOW) >= FAILURES


def failed(runtime: Runtime) -> None:
    """Count one failed authentication of this client."""
    ratelimit.hit(runtime.database, _key(), limit=FAILURES, window=WINDOW)


def retry_after() -> str:
    return str(int(WINDOW.total_seconds()))


def trust_proxies(app: Flask, count: int) -> None:
    """Take the client, scheme and host from ``count`` trusted proxies' headers."""
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
