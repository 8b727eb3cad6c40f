"""``disputeflow serve``: the HTTP service on waitress, a production WSGI server."""

from __future__ import annotations

import click
import waitress

from disputeflow.cli.state import CliState, pass_state
from disputeflow.core.runtime import Runtime
from disputeflow.core.store import tokens
from disputeflow.core.taxonomy import Role
from disputeflow.core.worker import Worker
from disputeflow.webhooks.app import create_app


def _first_admin_token(runtime: Runtime) -> str | None:
    """On an empty store, issue the first admin token (printed once)."""
    with runtime.database.session() as session:
        if tokens.count_active(session):
            return None
        return tokens.create(session, name="first admin", role=Role.ADMIN).token


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--no-worker", is_flag=True, help="Do not process work here (run `worker`s).")
@pass_state
def serve(state: CliState, host: str, port: int, threads: int, no_worker: bool) -> None:
    """Serve webhooks, the API and /healthz, with a worker thread unless --no-worker.

    The embedded SQLite store upgrades its own schema.
    """
    runtime = state.runtime()
    url = f"http://{host}:{port}"
    click.echo(f"disputeflow serving {url} (store: {runtime.database.dialect})")
    token = _first_admin_token(runtime)
    if token:
        click.echo("First start: an admin API token was created. It is shown only once:")
        click.echo(f"  {token}")
        click.echo(f"  curl -H 'Authorization: Bearer {token}' {url}/healthz")
    click.echo(f"health: {url}/healthz")
    app = create_app(runtime)
    if not no_worker:
        worker = Worker(runtime)
        app.extensions["disputeflow.wake"] = worker.wake_event
        worker.start_thread()
        click.echo("worker: running in this process")
    waitress.serve(app, host=host, port=port, threads=threads, ident="disputeflow")


def register(cli: click.Group) -> None:
    cli.add_command(serve)
