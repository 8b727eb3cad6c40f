"""``disputeflow serve``: the HTTP service on waitress, a production WSGI server.

waitress reads each request whole before a thread sees it, so slow clients cost sockets,
not threads; but it stops accepting once ``connection_limit`` sockets are open, and an
idle socket is closed only after ``channel_timeout``. The defaults here (500 sockets, 20
seconds) keep a few hundred idle or half-open connections from locking out ``/healthz``
and real clients (``tests/security/test_slow_clients.py``); behind a proxy, let the proxy
absorb slow clients too (docs/deploy.md).

The port is bound first, before the store is opened or a token made: a port in use is one
line and exit status 1, never a token printed above a traceback and lost.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import waitress

from disputeflow.cli.listen import bind
from disputeflow.cli.state import CliState, pass_state
from disputeflow.core.taxonomy import Role
from disputeflow.engine.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    WILDCARD_HOSTS,
    record_served_url,
    served_url,
)
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import case_search, tokens
from disputeflow.engine.worker import Worker
from disputeflow.webhooks.app import create_app

CONNECTION_LIMIT = 500
CHANNEL_TIMEOUT = 20


def waitress_options(threads: int, connection_limit: int, channel_timeout: int) -> dict[str, Any]:
    """What ``serve`` hands to waitress (also used by the tests' real servers)."""
    return {
        "threads": threads,
        "connection_limit": connection_limit,
        "channel_timeout": channel_timeout,
        "cleanup_interval": max(1, min(channel_timeout, 10)),  # how often idle ones are shut
        "ident": "disputeflow",
    }


def _first_admin_token(runtime: Runtime) -> str | None:
    """On an empty store, issue the first admin token (printed once)."""
    with runtime.database.session() as session:
        if tokens.count_active(session):
            return None
        return tokens.create(session, name="first admin", role=Role.ADMIN).token


def _announce_first_token(runtime: Runtime, url: str) -> None:
    """The first admin token, on a terminal only: never into a log file or a journal.

    When standard output is not a terminal (systemd, a pipe, a redirect) no token is made;
    the hint says how to make one at a terminal (``disputeflow tokens create``).
    """
    if not sys.stdout.isatty():
        with runtime.database.session(readonly=True) as session:
            if tokens.count_active(session):
                return
        click.echo(
            "No API token exists yet. It is not created here because this output is not a "
            "terminal (it may be logged): run `disputeflow tokens create --name admin "
            "--role admin` in a terminal."
        )
        return
    token = _first_admin_token(runtime)
    if token:
        click.echo("First start: an admin API token was created. It is shown only once:")
        click.echo(f"  {token}")
        click.echo(f"  curl -H 'Authorization: Bearer {token}' {url}/api/v1/cases")


def _say_public_url(runtime: Runtime) -> None:
    settings = runtime.settings
    click.echo(f"public URL: {settings.public_url} (from {settings.public_url_source})")
    if settings.public_url_source == "the address served":
        click.echo(
            "  webhook, buyer and install links start with it; set DISPUTEFLOW_PUBLIC_URL "
            "if platforms and buyers reach this service at another address"
        )


@click.command("serve")
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    envvar="DISPUTEFLOW_HOST",
    help="Interface to bind (0.0.0.0: every one). Env: DISPUTEFLOW_HOST.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(1, 65535),
    envvar="DISPUTEFLOW_PORT",
    help="Port to bind. Env: DISPUTEFLOW_PORT.",
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--connection-limit",
    default=CONNECTION_LIMIT,
    show_default=True,
    type=click.IntRange(10, 10_000),
    help="Open sockets at most (then new ones wait).",
)
@click.option(
    "--channel-timeout",
    default=CHANNEL_TIMEOUT,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds before an idle socket is closed.",
)
@click.option("--no-worker", is_flag=True, help="Do not process work here (run `worker`s).")
@pass_state
def serve(state: CliState, host: str, port: int, threads: int, connection_limit: int,
          channel_timeout: int, no_worker: bool) -> None:  # fmt: skip
    """Serve webhooks, the API and /healthz, with a worker thread unless --no-worker.

    The embedded SQLite store upgrades its own schema. Without DISPUTEFLOW_PUBLIC_URL, the
    URLs handed out (webhook, buyer and install links) use the address served.
    """
    sockets = bind(host, port)  # before anything is created: a busy port stops here
    state.served_at = (host, port)
    runtime = state.runtime()
    record_served_url(runtime.settings.home, runtime.settings.public_url)
    local = served_url(DEFAULT_HOST if host.strip("[]") in WILDCARD_HOSTS else host, port)
    click.echo(f"disputeflow serving http://{host}:{port} (store: {runtime.database.dialect})")
    _say_public_url(runtime)
    _announce_first_token(runtime, local)
    click.echo(f"health: {local}/healthz")
    search = case_search.check(runtime.database)
    if not search.indexed:
        click.echo(search.message(), err=True)
    app = create_app(runtime)
    if not no_worker:
        worker = Worker(runtime)
        app.extensions["disputeflow.wake"] = worker.wake_event
        worker.start_thread()
        click.echo("worker: running in this process")
    options = waitress_options(threads, connection_limit, channel_timeout)
    waitress.serve(app, sockets=sockets, **options)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
