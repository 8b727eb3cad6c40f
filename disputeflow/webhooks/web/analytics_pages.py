"""Prevention pages: analytics with SVG charts and CSV export, and dispute-ratio monitoring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, render_template, request, url_for

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.features.analytics.figures import Analytics
from disputeflow.features.analytics.periods import month_start, months_back, parse_day, parse_month
from disputeflow.features.analytics.ratios import evaluate_month, plugin_volume
from disputeflow.features.analytics.report import build
from disputeflow.features.analytics.window import DEFAULT_MONTHS, default_window
from disputeflow.features.rates.reporting import converter_for
from disputeflow.webhooks.api.auth import current_runtime
from disputeflow.webhooks.web.auth import signed_in
from disputeflow.webhooks.web.blueprint import bp
from disputeflow.webhooks.web.csv_export import csv_text
from disputeflow.webhooks.web.locale import current
from disputeflow.webhooks.web.report import charts_of, ratio_history, shown_tables


def _default() -> tuple[datetime, datetime, bool]:
    with current_runtime().database.session(readonly=True) as session:
        return default_window(session, utcnow())


def _period() -> tuple[datetime, datetime, dict[str, str], bool]:
    """``?since=`` and ``?until=`` (dates); without them, the last six months up to now, or
    up to the newest case when those months hold none (``moved``)."""
    asked = {n: (request.args.get(n) or "").strip() for n in ("since", "until")}
    _, problems = current().gettext, dict[str, str]()
    if not any(asked.values()):
        since, until, moved = _default()
        return since, until, problems, moved
    now = utcnow()
    since, until = months_back(now, DEFAULT_MONTHS), now
    for name, text in asked.items():
        if not text:
            continue
        try:
            value = parse_day(text, field=name)
        except InvalidInputError:
            problems[name] = _("Give a date as YYYY-MM-DD.")
            continue
        since, until = (value, until) if name == "since" else (since, value)
    if since >= until:
        problems["until"] = _("The end must come after the start.")
        since, until = months_back(now, DEFAULT_MONTHS), now
    return since, until, problems, False


def _analytics(since: datetime, until: datetime) -> Analytics:
    runtime = current_runtime()
    convert = converter_for(runtime)  # fresh rates first: never inside the session
    with runtime.database.session(readonly=True) as session:
        return build(
            session,
            since,
            until,
            volume=plugin_volume(runtime),
            convert=convert,
            fees=getattr(runtime.rules, "fees", None),  # the rules file's [fees]
        )


@bp.get("/analytics")
@signed_in()
def analytics() -> Any:
    """Where disputes and returns come from, what they cost, and how fast they are handled."""
    since, until, problems, moved = _period()
    found = _analytics(since, until)
    period = {"since": f"{since:%Y-%m-%d}", "until": f"{until:%Y-%m-%d}"}
    return render_template(
        "workspace/analytics.html",
        a=found,
        charts=charts_of(found, current()),
        tables=shown_tables(found),
        problems=problems,
        period=period,
        moved=moved,
        args={k: request.args.get(k, v) for k, v in period.items()},
        case_url=lambda case_id: url_for("workspace.case_detail", case_id=case_id),
        csv_url=lambda name: url_for(
            "workspace.analytics_csv", name=name, since=period["since"], until=period["until"]
        ),
    )


@bp.get("/analytics/<name>.csv")
@signed_in()
def analytics_csv(name: str) -> Response:
    """One analytics table as CSV (the same period arguments as the page; every row, in
    English, whatever language the page is in)."""
    since, until, problems, _moved = _period()
    if problems:
        abort(400, "; ".join(problems.values()))
    found = _analytics(since, until)
    try:
        table = found.table(name)
    except KeyError:
        abort(404, current().gettext("There is no table %(name)s.", name=repr(name)))
    filename = f"disputeflow-{name}-{since:%Y%m%d}-{until:%Y%m%d}.csv"
    return Response(
        csv_text(table.columns, table.rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/ratios")
@signed_in()
def ratios() -> Any:
    """Each payment channel's dispute ratio this month against the card networks' thresholds."""
    runtime = current_runtime()
    now, problem = utcnow(), None
    month = month_start(now)
    if request.args.get("month"):
        try:
            month = parse_month(request.args["month"])
        except InvalidInputError:
            problem = current().gettext("Give a month as YYYY-MM.")
    volume = plugin_volume(runtime)
    with runtime.database.session(readonly=True) as session:
        channels = evaluate_month(session, month, now=now, volume=volume)
        history = ratio_history(session, month, now=now, volume=volume, reader=current())
    return render_template(
        "workspace/ratios.html",
        channels=channels,
        history=history,
        month=f"{month:%Y-%m}",
        problem=problem,
        now=now,
    )
