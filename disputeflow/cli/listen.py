"""The listening sockets of ``serve``, bound before anything else happens.

waitress would bind them itself, but only after the store is opened and the first admin
token printed; a port in use then ends in a traceback under a token nobody can use. Bound
here first, a busy port is one line and exit status 1.
"""

from __future__ import annotations

import errno
import os
import socket

from disputeflow.core.errors import ConfigurationError

_HINT = "choose another with --port (DISPUTEFLOW_PORT, or `make run PORT=...`)"


def bind(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address ``host`` names (not listening yet: waitress starts
    that), or a ``ConfigurationError`` saying in one line why the address cannot be served."""
    name = host.strip().strip("[]")
    try:
        found = socket.getaddrinfo(name or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM,
                                   socket.IPPROTO_TCP, socket.AI_PASSIVE)  # fmt: skip
    except socket.gaierror as error:
        raise ConfigurationError(f"cannot serve on host {host!r}: {error.strerror}") from None
    sockets: list[socket.socket] = []
    seen: set[tuple[str, int]] = set()
    try:
        for family, kind, proto, _, address in found:
            if (str(address[0]), int(address[1])) in seen:
                continue  # getaddrinfo may name the same address twice
            seen.add((str(address[0]), int(address[1])))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            if os.name != "nt":  # as waitress does: a restart may rebind at once
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError as error:
        for sock in sockets:
            sock.close()
        raise ConfigurationError(problem(host, port, error)) from None
    return sockets


def problem(host: str, port: int, error: OSError) -> str:
    """One line: what stops serving on ``host:port`` and what to do."""
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return f"cannot serve on {where}: the port is already in use; stop what uses it or {_HINT}"
    if error.errno == errno.EACCES:
        return f"cannot serve on {where}: permission denied (a port below 1024?); {_HINT}"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot serve on {where}: this machine has no address {host}"
    return f"cannot serve on {where}: {error.strerror or error}"
