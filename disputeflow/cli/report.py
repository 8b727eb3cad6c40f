"""``disputeflow report`` (the prevention analytics as one HTML file) and ``disputeflow
ratios`` (each payment channel's dispute ratio against the card networks' thresholds)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from disputeflow.cli.state import CliState, emit_json, json_option, pass_state
from disputeflow.core.clock import utcnow
from disputeflow.features.analytics.periods import month_start, parse_day, parse_month
from disputeflow.features.analytics.ratios import (
    ChannelMonth,
    alerts,
    evaluate_month,
    percent_text,
    plugin_volume,
    raise_alerts,
)
from disputeflow.features.analytics.report import build
from disputeflow.features.rates.reporting import converter_for
from disputeflow.webhooks.web.report import ratio_history, render_report


@click.command("report")
@click.option("--since", required=True, help="First day counted (YYYY-MM-DD, UTC).")
@click.option("--until", help="Day after the last one counted (default: now).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write.",
)
@pass_state
def report(state: CliState, since: str, until: str | None, out: Path) -> None:
    """Write the prevention analytics as one self-contained HTML file (charts inline)."""
    runtime = state.runtime()
    now = utcnow()
    start = parse_day(since, field="--since")
    end = parse_day(until, field="--until") if until else now
    if end <= start:
        raise click.BadParameter("must come after --since", param_hint="--until")
    volume = plugin_volume(runtime)
    convert = converter_for(runtime, timeout=10.0)  # the ECB's rates, if they are stale
    with runtime.database.session(readonly=True) as session:
        fees = getattr(runtime.rules, "fees", None)  # the rules file's [fees]
        analytics = build(session, start, end, volume=volume, convert=convert, fees=fees)
        month = month_start(min(end, now))
        channels = evaluate_month(session, month, now=now, volume=volume)
        history = ratio_history(session, month, now=now, volume=volume)
    html = render_report(
        analytics,
        channels,
        generated_at=now,
        public_url=runtime.settings.public_url,
        history=history,
    )
    out.write_text(html, encoding="utf-8")
    click.echo(
        f"wrote {out}: {analytics.disputes} disputes and {analytics.returns} returns "
        f"opened {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    )


def _line(channel: ChannelMonth) -> str:
    ratio = percent_text(channel.ratio)
    figures = f"{channel.chargebacks} chargebacks"
    figures += f" / {channel.transactions} transactions = {ratio}%" if ratio else " (no volume)"
    return (
        f"{channel.name:<20} {channel.platform:<11} {figures}, "
        f"{channel.projected_chargebacks} projected: {channel.worst}"
    )


@click.command("ratios")
@click.option("--month", help="The month (YYYY-MM; default: this one).")
@click.option("--alert", is_flag=True, help="Raise each alert through disputeflow_ratio_alert.")
@json_option
@pass_state
def ratios(state: CliState, month: str | None, alert: bool, as_json: bool) -> None:
    """Each payment channel's dispute ratio this month against Visa's and Mastercard's
    thresholds, projected to the month's end (run daily with --alert)."""
    runtime = state.runtime()
    now = utcnow()
    start: datetime = parse_month(month) if month else month_start(now)
    with runtime.database.session(readonly=True) as session:
        channels = evaluate_month(session, start, now=now, volume=plugin_volume(runtime))
    found = alerts(channels)
    raised = raise_alerts(runtime, found) if alert else 0
    if as_json:
        emit_json(
            {"month": f"{start:%Y-%m}", "alerts": [a.to_dict() for a in found], "raised": raised}
        )
        return
    if not channels:
        click.echo("no connections")
    for channel in channels:
        click.echo(_line(channel))
    for item in found:
        click.echo(f"ALERT {item.state}: {item.message}")
    if alert:
        click.echo(f"{raised} alert(s) raised")


def register(cli: click.Group) -> None:
    cli.add_command(report)
    cli.add_command(ratios)
