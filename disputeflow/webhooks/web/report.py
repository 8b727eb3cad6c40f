"""The analytics as one self-contained HTML file (``disputeflow report``), and the table and
chart helpers the workspace pages share with it.

The file inlines its stylesheet and its SVG charts: it opens with no network and no
disputeflow running. Case numbers link to the workspace at the installation's public URL.
Tables show their rows in the reader's words, with runs of weeks or months that had no case
folded into one row (the CSV export keeps every row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from disputeflow.features.analytics.figures import Analytics, Cell, OrderVolume, Table
from disputeflow.features.analytics.periods import month_label, months_back
from disputeflow.features.analytics.ratios import ChannelMonth, evaluate_month
from disputeflow.webhooks.web import formatting
from disputeflow.webhooks.web.charts import line_chart, table_chart
from disputeflow.webhooks.web.formatting import ENGLISH, Local

HISTORY_MONTHS = 6
FOLDED = ("by_week", "by_month")  # tables whose empty periods fold


@dataclass(frozen=True)
class Row:
    """A table row as shown: its cells, and how many empty periods it stands for."""

    cells: tuple[Cell, ...]
    folded: int = 0


def cell_text(reader: Local, table: Table, index: int, value: Cell) -> str:
    """A cell in the reader's words (:meth:`Local.cell_of`)."""
    return reader.cell_of(table, index, value)


def _empty(table: Table, row: tuple[Cell, ...]) -> bool:
    counts = [row[table.columns.index(c)] for c in ("Disputes", "Returns")]
    orders = row[table.columns.index("Orders")] if "Orders" in table.columns else None
    return counts == [0, 0] and orders is None


def fold(table: Table) -> list[Row]:
    """The rows, runs of two or more empty weeks or months as one row."""
    if table.name not in FOLDED:
        return [Row(row) for row in table.rows]
    shown: list[Row] = []
    run: list[tuple[Cell, ...]] = []
    for row in (*table.rows, None):
        if row is not None and _empty(table, row):
            run.append(row)
            continue
        if len(run) > 1:
            first = (f"{run[0][0]} \u2013 {run[-1][0]}", *run[0][1:])
            shown.append(Row(first, len(run)))
        else:
            shown += [Row(r) for r in run]
        run = []
        if row is not None:
            shown.append(Row(row))
    return shown


def shown_tables(analytics: Analytics) -> dict[str, list[Row]]:
    """Each table's rows as the pages show them, by table name."""
    return {table.name: fold(table) for table in analytics.tables}


def charts_of(analytics: Analytics, reader: Local = ENGLISH) -> dict[str, Markup]:
    """The chart of each table that asks for one, by table name, in the reader's words."""
    found = {}
    for table in analytics.tables:
        labels = [cell_text(reader, table, 0, v) for v in table.column(table.columns[0])]
        series = {reader.gettext(name): table.column(name) for name in table.plot}
        chart = table_chart(
            reader.gettext(table.title), table.chart, labels, series,  # type: ignore[arg-type]
            empty=reader.gettext("No cases"), number=reader.cell,
        )  # fmt: skip
        if chart is not None:
            found[table.name] = chart
    return found


def ratio_history(
    session: Session, month: datetime, *, now: datetime, volume: OrderVolume | None,
    reader: Local = ENGLISH,
) -> Markup | None:  # fmt: skip
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
    title = reader.gettext("Chargebacks per month by payment channel")
    return line_chart(labels, series, title=title, empty=reader.gettext("No cases"),
                      number=reader.cell)  # fmt: skip


def environment(reader: Local = ENGLISH) -> Environment:
    """Jinja for the standalone report: the workspace's templates and filters."""
    env = Environment(
        loader=PackageLoader("disputeflow.webhooks.web", "templates"),
        autoescape=select_autoescape(default=True),
    )
    formatting.install(env, lambda: reader)
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
    titles: Mapping[str, str] | None = None,
) -> str:
    """The whole report as one HTML document (in English; ``titles`` name marketplaces)."""
    reader = Local(titles=dict(titles or {}))
    template = environment(reader).get_template("workspace/report.html")
    return template.render(
        a=analytics,
        charts=charts_of(analytics, reader),
        tables=shown_tables(analytics),
        channels=channels,
        history=history,
        generated_at=generated_at,
        css=Markup(stylesheet()),  # noqa: S704  (our own file, inlined as it is)
        case_url=lambda case_id: f"{public_url}/workspace/cases/{case_id}",
        csv_url=None,
        now=generated_at,
        loc=reader,
    )
