"""The SVG charts and the workspace's formatting, without a server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from disputeflow import Money
from disputeflow.features.analytics.periods import months_back, parse_day, week_label
from disputeflow.webhooks.web.charts import bar_chart, line_chart, table_chart
from disputeflow.webhooks.web.formatting import deadline, duration, money

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(str(markup))  # noqa: S314  (our own output)


def test_bar_chart_is_valid_svg_that_says_its_figures():
    svg = parse(
        bar_chart(
            ["fraud", "<b>x</b>"], {"Disputes": [3, 1], "Returns": [0, 2]}, title="Cases & causes"
        )
    )
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Cases & causes"
    assert (
        svg.find(f"{SVG}desc").text
        == "fraud: Disputes 3, Returns 0; <b>x</b>: Disputes 1, Returns 2"
    )
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"Disputes", "Returns", "fraud", "<b>x</b>", "3"} <= set(texts)  # escaped, then parsed
    bars = [r for r in svg.iter(f"{SVG}rect") if float(r.get("height")) > 12]
    widths = sorted(float(r.get("width")) for r in bars)
    assert widths[1] / widths[0] == pytest.approx(2, rel=0.01)  # 1, 2 and 3 in scale
    assert widths[2] / widths[0] == pytest.approx(3, rel=0.01)


def test_line_chart_plots_each_series():
    svg = parse(
        line_chart(
            ["2026-10", "2026-11"], {"Disputes": [2, 4], "Returns": [0, None]}, title="By month"
        )
    )
    lines = list(svg.iter(f"{SVG}polyline"))
    assert len(lines) == 2
    points = [p.split(",") for p in lines[0].get("points").split()]
    assert float(points[0][1]) > float(points[1][1]), "4 is drawn above 2"
    assert "2026-11: 4" in [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")]


def test_table_chart_keeps_the_twelve_biggest_bars():
    labels = [f"sku-{n}" for n in range(20)]
    svg = parse(table_chart("SKUs", "bar", labels, {"Total": list(range(20, 0, -1))}))
    assert "sku-11" in svg.find(f"{SVG}desc").text
    assert "sku-12" not in svg.find(f"{SVG}desc").text
    assert table_chart("x", None, labels, {}) is None


def test_deadline_words_never_rely_on_colour():
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert deadline(now - timedelta(hours=3, minutes=5), now) == {
        "level": "overdue",
        "badge": "Overdue",
        "text": "overdue by 3h 5m",
    }
    assert deadline(now + timedelta(hours=5), now)["badge"] == "Due soon"
    assert deadline(now + timedelta(days=2, hours=1), now) == {
        "level": "later",
        "badge": "",
        "text": "2d 1h left",
    }
    assert deadline(None, now)["text"] == "no deadline"
    assert duration(timedelta(minutes=7)) == "7m"
    assert money(Money("1234.50", "EUR")) == "€1,234.50"  # Babel's en pattern, CLDR
    assert money({"value": "500", "currency": "JPY"}) == "¥500"


def test_periods():
    assert months_back(datetime(2026, 2, 10, tzinfo=UTC), 6) == datetime(2025, 9, 1, tzinfo=UTC)
    assert months_back(datetime(2026, 2, 10, tzinfo=UTC), 1) == datetime(2026, 2, 1, tzinfo=UTC)
    assert week_label(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-W01"
    assert parse_day("2026-10-01") == datetime(2026, 10, 1, tzinfo=UTC)
    assert parse_day("2026-10-01T10:00:00+02:00") == datetime(2026, 10, 1, 8, tzinfo=UTC)
