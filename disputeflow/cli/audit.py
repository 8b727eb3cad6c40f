"""``disputeflow audit``: check the tamper-evident audit trail, and read it."""

from __future__ import annotations

import click
from sqlalchemy import select

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.engine.store import audit
from disputeflow.engine.store.audit_verify import CHECKPOINT_PURPOSE, write_checkpoint
from disputeflow.engine.store.audit_verify import verify as verify_trail
from disputeflow.engine.store.tables import AuditRow


@click.group("audit")
def audit_group() -> None:
    """The audit trail: every state change, action, rule decision, notice and view of a
    buyer's personal data, each entry chained by its hash to the one before in its lane
    (16 lanes, a case's entries in one), the heads of all lanes signed now and then."""


@audit_group.command("verify")
@json_option
@pass_state
def verify(state: CliState, as_json: bool) -> None:
    """Recompute every lane of the trail and check the signed checkpoints; name the first
    broken entry (exit status 1) or print the head."""
    runtime = state.runtime()
    keys = runtime.secrets.derive_keys(CHECKPOINT_PURPOSE)
    with runtime.database.session(readonly=True) as session:
        result = verify_trail(session, keys)
    if as_json:
        emit_json(
            {"ok": result.ok, "checked": result.checked, "head": result.head,
             "broken_seq": result.broken_seq, "reason": result.reason}
        )  # fmt: skip
    elif result.ok:
        click.echo(f"audit trail intact: {result.checked} entries, head {result.head}")
    elif result.broken_seq is None:
        click.echo(f"audit trail not trusted: {result.reason}", err=True)
    else:
        click.echo(
            f"audit trail broken at entry {result.broken_seq}: {result.reason} "
            f"({result.checked} entries before it are intact)",
            err=True,
        )
    if not result.ok:
        raise SystemExit(1)


@audit_group.command("checkpoint")
@pass_state
def checkpoint(state: CliState) -> None:
    """Sign every lane's head now (workers do so at each housekeeping round)."""
    runtime = state.runtime()
    key = runtime.secrets.derive_key(CHECKPOINT_PURPOSE)
    with runtime.database.session() as session:
        written = write_checkpoint(session, key)
    click.echo("checkpoint written" if written else "nothing appended since the last checkpoint")


@audit_group.command("list")
@click.option("--case", "case_id", help="Only this case's entries.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_state
def list_(state: CliState, case_id: str | None, limit: int, as_json: bool) -> None:
    """The newest entries, newest first."""
    query = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
    if case_id:
        query = query.where(AuditRow.case_id == case_id)
    with state.runtime().database.session(readonly=True) as session:
        items = [audit.describe(row) for row in session.scalars(query)]
    if as_json:
        emit_json({"items": items, "next_cursor": None})
        return
    for item in items:
        click.echo(
            f"{item['seq']:>7}  {item['at']}  {item['kind']:<7} {item['subject']:<24} "
            f"{item['case_id'] or '-':<30} {item['actor']}"
        )


def register(cli: click.Group) -> None:
    cli.add_command(audit_group)
