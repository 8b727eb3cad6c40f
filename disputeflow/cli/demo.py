"""``disputeflow demo``: real cases in a minute, through the service's own webhook intake.

The demo's connections get random secrets (a plugin's example secrets are public, in its
source: anyone could sign deliveries for them), are marked ``demo`` in every listing, and
the demo refuses to run against an installation that has real connections unless
``--alongside-real-connections`` says so. The samples are dated relative to now
(``samples_dated_at``): each sample object's last delivery happens now, so the first inbox
is not months overdue and the analytics' default window holds the demo's disputes.
"""

from __future__ import annotations

import secrets
import string
import time
from typing import Any
from urllib.parse import urlsplit

import click
import requests
from sqlalchemy import func, select

from disputeflow.cli.state import CliState, pass_state
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError, InvalidInputError
from disputeflow.core.marketplace import Connection, Marketplace
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.sample_dates import samples_dated_at
from disputeflow.engine.store import connections
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow

_ALPHABETS = (string.digits, "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEF", "GHIJKLMNOPQRSTUVWXYZ")


def random_like(value: str) -> str:
    """A fresh random value shaped like ``value``: its prefix (``ck_``, ``shpss_``, up to
    the first ``_`` or ``-`` in the first seven characters) kept, every other letter or
    digit replaced by a random one of the same kind, so a plugin's format checks pass."""
    cut = max(value.find("_", 0, 7), value.find("-", 0, 7)) + 1
    head, tail = value[:cut], value[cut:]
    out = []
    for char in tail:
        alphabet = next((a for a in _ALPHABETS if char in a), None)
        out.append(secrets.choice(alphabet) if alphabet else char)
    return head + "".join(out)


def demo_settings(marketplace: Marketplace) -> dict[str, Any]:
    """The example settings with every secret one replaced by a random value."""
    hidden = marketplace.secret_fields()
    return {
        key: random_like(value) if key in hidden and isinstance(value, str) else value
        for key, value in marketplace.example_settings().items()
    }


def _refuse_real_connections(runtime: Runtime) -> None:
    with runtime.database.session(readonly=True) as session:
        real = session.scalar(
            select(func.count()).select_from(ConnectionRow).where(ConnectionRow.demo.is_(False))
        )
    if real:
        raise DisputeflowError(
            f"this installation has {real} real connection(s): the demo adds sample stores "
            "and cases beside them. Run it on a fresh DISPUTEFLOW_HOME, or pass "
            "--alongside-real-connections if that is really what you want"
        )


def _demo_connection(runtime: Runtime, marketplace: Marketplace) -> Connection:
    """The marketplace's demo connection, created with random secrets if missing."""
    name = f"demo-{marketplace.name}"
    with runtime.database.session() as session:
        existing = session.scalar(select(ConnectionRow).where(ConnectionRow.name == name))
    if existing is None:
        runtime.add_connection(marketplace.name, name, demo_settings(marketplace), demo=True)
        with runtime.database.session() as session:
            existing = connections.get_row(session, name)
    return runtime.connection(existing)


def service_url(url: str) -> str:
    """The running service's base URL, or one line saying what is expected."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            f"--url must be the running service's address, like http://127.0.0.1:8000; got {url!r}"
        )
    return url.strip().rstrip("/")


def _send(url: str, marketplace: Marketplace, connection: Connection) -> int:
    sent = 0
    with samples_dated_at(utcnow()):
        samples = marketplace.sample_deliveries(connection)
    for sample in samples:
        target = f"{url}/webhooks/{marketplace.name}/{connection.id}"
        try:
            response = requests.post(
                target, data=sample.request.body, headers=dict(sample.request.headers), timeout=10
            )
        except requests.ConnectionError:
            raise DisputeflowError(
                f"cannot reach {url}: start the service first (`make run` or `disputeflow serve`)"
            ) from None
        except requests.RequestException as error:
            raise DisputeflowError(f"cannot send to {url}: {type(error).__name__}") from None
        status = response.json().get("status", "") if response.content else ""
        click.echo(f"  {sample.name}: HTTP {response.status_code} {status}".rstrip())
        sent += 200 <= response.status_code < 300
    return sent


def _wait_for_processing(runtime: Runtime, seconds: float) -> int:
    """Wait for the service's worker to process what was sent; return how many are pending."""
    deadline = time.monotonic() + seconds
    while True:
        with runtime.database.session(readonly=True) as session:
            pending = (
                session.scalar(select(func.count()).where(DeliveryRow.status == "pending")) or 0
            )
        if not pending or time.monotonic() > deadline:
            return int(pending)
        time.sleep(0.2)


@click.command("demo")
@click.option("--url", help="The running service (default: the public URL, which follows "
              "the address `make run` serves).")  # fmt: skip
@click.option("--wait", default=15.0, show_default=True, help="Seconds to wait for processing.")
@click.option("--alongside-real-connections", "alongside", is_flag=True,
              help="Run even though the installation has real (non-demo) connections.")  # fmt: skip
@pass_state
def demo(state: CliState, url: str | None, wait: float, alongside: bool) -> None:
    """Create a demo connection per installed marketplace and send its signed samples,
    dated relative to now."""
    if url is not None:
        url = service_url(url)
    runtime = state.runtime()
    url = url or service_url(runtime.settings.public_url)
    if not alongside:
        _refuse_real_connections(runtime)
    markets = runtime.plugins.marketplaces()
    if not markets:
        raise DisputeflowError("no marketplaces are installed: see `disputeflow plugins list`")
    sent = 0
    for marketplace in markets.values():
        connection = _demo_connection(runtime, marketplace)
        click.echo(f"{marketplace.title} ({connection.id}): sending samples to {url}")
        sent += _send(url.rstrip("/"), marketplace, connection)
    pending = _wait_for_processing(runtime, wait)
    click.echo(f"sent {sent} deliveries; {pending} still waiting for a worker")
    click.echo("see them: disputeflow cases list   (or GET /api/v1/cases with your token)")


def register(cli: click.Group) -> None:
    cli.add_command(demo)
