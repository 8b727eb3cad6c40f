"""The ``disputeflow`` command line: one group, one module per noun.

Every command that prints data takes ``--json``. Errors are one clear line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from disputeflow.cli import (
    audit,
    cases,
    connections,
    db,
    deliveries,
    demo,
    plugins,
    report,
    rights,
    rules,
    serve,
    sync,
    tokens,
    worker,
)
from disputeflow.cli.state import CliState
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.plugins import get_plugin_manager

log = logging.getLogger(__name__)


def one_line(text: object) -> str:
    """``text`` on one line: an error message never runs over several."""
    return " ".join(str(text).split())


class _FriendlyGroup(click.Group):
    """Turns every failure into one line and exit status 1: expected ones with their own
    message, anything else named with its type (``-v`` logs the traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DisputeflowError as error:
            raise click.ClickException(one_line(error.message)) from None
        except (OperationalError, ProgrammingError) as error:
            raise click.ClickException(f"database error: {one_line(error.orig)}") from None
        except Exception as error:
            log.info("the traceback of the error below", exc_info=True)
            message = one_line(error) or "no message"
            raise click.ClickException(
                f"{type(error).__name__}: {message} (run with -v to log the traceback)"
            ) from None


@click.group(cls=_FriendlyGroup)
@click.option(
    "--database-url",
    envvar="DISPUTEFLOW_DATABASE_URL",
    help="SQLAlchemy URL of the store (default: SQLite in DISPUTEFLOW_HOME).",
)
@click.option(
    "--home",
    envvar="DISPUTEFLOW_HOME",
    type=click.Path(file_okay=False),
    help="Data directory for the embedded store and the secret key file.",
)
@click.option(
    "--rules",
    envvar="DISPUTEFLOW_RULES",
    type=click.Path(dir_okay=False),
    help="The rules file: routing, automation, deadlines (docs/handling.md).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
@click.version_option(package_name="disputeflow")
@click.pass_context
def cli(
    ctx: click.Context, database_url: str | None, home: str | None, rules: str | None, verbose: bool
) -> None:
    """disputeflow: one case flow for disputes, returns and refunds across marketplaces."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = CliState(database_url=database_url, home=home, rules=rules, plugins=ctx.obj)
    ctx.call_on_close(ctx.obj.close)


COMMANDS = (serve, worker, sync, db, connections, tokens, plugins, cases, deliveries, demo)
for module in (*COMMANDS, rights, rules, report, audit):
    module.register(cli)


def main() -> None:
    """Console-script entry point: load plugins once, let them add commands, run."""
    manager = get_plugin_manager()
    manager.hook.disputeflow_register_commands(cli=cli)
    cli(obj=manager)
