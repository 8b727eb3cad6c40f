"""The analytics as one self-contained HTML file (``disputeflow report``), and the chart
helpers the workspace pages share with it.

The file inlines its stylesheet and its SVG charts: it opens with no network and no
disputeflow running. Case numbers link to the workspace at the installation's public URL.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from disputeflow.features.analytics.figures import Analytics, OrderVolume
from disputeflow.features.analytics.periods import month_label, months_back
from disputeflow.features.analytics.ratios import ChannelMonth, evaluate_month
from disputeflow.webhooks.web import formatting
from disputeflow.webhooks.web.charts import line_chart, table_chart

HISTORY_MONTHS = 6


def charts_of(analytics: Analytics) -> dict[str, Markup]:
    """The chart of each table that asks for one, by table name."""
    found = {}
    for table in analytics.tables:
        labels = [str(v) for v in table.column(table.columns[0])]
        series = {name: table.column(name) for name in table.plot}
        chart = table_chart(table.title, table.chart, labels, series)  # type: ignore[arg-type]
        if chart is not None:
            found[table.name] = chart
    return found


def ratio_history(
    session: Session, month: datetime, *, now: datetime, volume: OrderVolume | None
) -> Markup | None:
    """Chargebacks per channel over the months up to ``month``, as a line chart."""
    starts = [months_back(month, n) for n in range(HISTORY_MONTHS, 0, -1)]
    per_month = [evaluate_month(session, start, now=now, volume=volume) for start in starts]
    names = [channel.name for channel in per_month[-1]]
    if not names:
        return None
    series = {
        name: [next(c.chargebacks for c in channels if c.name == name) for channels in per_month]
        for name in names
    }
    labels = [month_label(start) for start in starts]
    return line_chart(labels, series, title="Chargebacks per month by payment channel")


def environment() -> Environment:
    """Jinja for the standalone report: the workspace's templates and filters."""
    env = Environment(
        loader=PackageLoader("disputeflow.webhooks.web", "templates"),
        autoescape=select_autoescape(default=True),
    )
    formatting.install(env)
    return env


def stylesheet() -> str:
    """The workspace's stylesheet, to inline."""
    return (resources.files("disputeflow.webhooks.web") / "static" / "workspace.css").read_text()


def render_report(
    analytics: Analytics,
    channels: list[ChannelMonth],
    *,
    generated_at: datetime,
    public_url: str,
    history: Markup | None = None,
) -> str:
    """The whole report as one HTML document."""
    template = environment().get_template("workspace/report.html")
    return template.render(
        a=analytics,
        charts=charts_of(analytics),
        channels=channels,
        history=history,
        generated_at=generated_at,
        css=Markup(stylesheet()),  # noqa: S704  (our own file, inlined as it is)
        case_url=lambda case_id: f"{public_url}/workspace/cases/{case_id}",
        csv_url=None,
        now=generated_at,
    )
