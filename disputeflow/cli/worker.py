"""``disputeflow worker``: process deliveries, actions and syncs (run as many as you need)."""

from __future__ import annotations

import signal
from types import FrameType

import click

from disputeflow.cli.state import CliState, pass_state
from disputeflow.engine.worker import Worker, WorkerOptions


@click.command("worker")
@click.option("--batch-size", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--poll-interval", default=1.0, show_default=True, type=click.FloatRange(0.05))
@click.option("--once", is_flag=True, help="Do one round of due work and exit.")
@pass_state
def worker(state: CliState, batch_size: int, poll_interval: float, once: bool) -> None:
    """Process due work until SIGTERM or Ctrl-C (the current batch finishes first)."""
    runtime = state.runtime()
    loop = Worker(runtime, WorkerOptions(batch_size=batch_size, poll_interval=poll_interval))
    if once:
        handled = loop.run_once()
        click.echo(f"handled {handled} item(s)")
        return

    def _stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"received signal {signum}: finishing the current batch", err=True)
        loop.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"worker running against {runtime.database.dialect}", err=True)
    loop.run()


def register(cli: click.Group) -> None:
    cli.add_command(worker)
