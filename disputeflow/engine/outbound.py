"""Outbound requests that cannot be turned inward (server-side request forgery).

A connection's URLs (``api_base_url``, ``store_url``, the Shopify ``shop_domain``) and the
merchant's notice webhook are typed in by people, and a platform can answer with a
redirect. Neither may make the service call its own network: loopback, private, link-local,
shared (CGNAT), reserved and cloud metadata addresses (anything not globally routable) are
refused, unless the installation allows them (``DISPUTEFLOW_ALLOW_PRIVATE_URLS=1``: local
development, the demo, the test suite).

Two checks, because a name can resolve differently later (DNS rebinding):

* when a URL is saved, an IP literal or ``localhost`` is refused at once, and a name that
  resolves now to an internal address is refused; a name that does not resolve at all
  (yet) is accepted, since nothing can be called there;
* at call time, every connection is checked on the address the socket actually connected
  to (:class:`GuardedAdapter`, mounted on every platform client and the notice webhook),
  before a byte of the request is sent. Through a configured outbound proxy the peer is
  the proxy: the proxy must then enforce the same rule.

Redirects are never followed (:mod:`disputeflow.engine.http` sends ``allow_redirects=False``).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from disputeflow.core.errors import InvalidInputError, MarketplaceError

ALLOW_ENV = "DISPUTEFLOW_ALLOW_PRIVATE_URLS"
URL_SETTINGS = ("api_base_url", "store_url")  # where a connection's platform calls go
HOST_SETTINGS = ("shop_domain",)
_TRUE = frozenset({"1", "true", "yes", "on"})

_allowed: bool | None = None  # set by the runtime; None: the environment decides


class InternalAddressError(MarketplaceError):
    """A call that would have reached an internal address (refused, never retried)."""

    code = "internal_address"

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=False)


def env_allows(env: Mapping[str, str] = os.environ) -> bool:
    """Whether ``DISPUTEFLOW_ALLOW_PRIVATE_URLS`` says yes."""
    return env.get(ALLOW_ENV, "").strip().lower() in _TRUE


def set_private_allowed(value: bool | None) -> None:
    """The installation's choice for this process (``None`` falls back to the environment)."""
    global _allowed  # one policy per process, set by its runtime
    _allowed = value


def private_allowed() -> bool:
    return env_allows() if _allowed is None else _allowed


def is_internal(address: str) -> bool:
    """Whether an IP address is not globally routable (or is a cloud metadata address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def check_host(host: str, *, allowed: bool) -> None:
    """Refuse ``host`` when it is (or resolves now to) an internal address."""
    if allowed:
        return
    name = host.strip().rstrip(".").lower()
    if not name or name == "localhost" or name.endswith(".localhost"):
        raise InvalidInputError(f"{host!r} is a local address", errors={"host": ["local"]})
    literal = _literal(name)
    if literal is not None:
        found = [literal]
    else:
        try:
            found = [str(info[4][0]) for info in socket.getaddrinfo(name, None)]
        except (OSError, UnicodeError):
            return  # does not resolve (yet): the call-time check on the peer decides
    if any(is_internal(address) for address in found):
        raise InvalidInputError(
            f"{host!r} resolves to an internal address; set {ALLOW_ENV}=1 to allow it",
            errors={"host": ["internal address"]},
        )


def check_url(url: str, *, allowed: bool) -> None:
    """Refuse a URL whose scheme is not http(s) or whose host is internal."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"{url!r} is not an http(s) URL", errors={"url": ["not http"]})
    check_host(parts.hostname, allowed=allowed)


def check_settings(settings: Mapping[str, Any], *, allowed: bool) -> None:
    """Check a connection's outbound URLs and hosts; a 422 names the setting."""
    for key in (*URL_SETTINGS, *HOST_SETTINGS):
        value = settings.get(key)
        if not isinstance(value, str) or not value:
            continue
        try:
            if key in URL_SETTINGS:
                check_url(value, allowed=allowed)
            else:
                check_host(value, allowed=allowed)
        except InvalidInputError as error:
            raise InvalidInputError(error.message, errors={key: [error.message]}) from None


def check_peer(address: str) -> None:
    """Refuse a socket connected to an internal address (unless allowed)."""
    if not private_allowed() and is_internal(address):
        raise InternalAddressError(
            f"refused to call {address}: an internal address ({ALLOW_ENV} is not set)"
        )


class _CheckedConnection:
    """Checks the peer of each new socket before anything is sent on it."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        try:
            check_peer(str(sock.getpeername()[0]))
        except InternalAddressError:
            sock.close()
            raise
        return sock


class _HTTPConnection(_CheckedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_CheckedConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections refuse internal peers."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def guard(session: requests.Session) -> requests.Session:
    """Mount the guarded adapter on ``session`` for http and https; return it."""
    adapter = GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
