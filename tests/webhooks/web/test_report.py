"""``disputeflow report`` writes one self-contained HTML file that shows every chart with no
network; ``disputeflow ratios`` evaluates the thresholds and raises alerts."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from disputeflow import hookimpl
from disputeflow.cli import cli
from tests.seeded import seed
from tests.webhooks.web.browser import chromium, screenshot

TABLES_WITH_CHARTS = 9


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'report.sqlite3'}"


def run(runtime, plugins, *args):
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    return CliRunner().invoke(cli, [*base, *args], obj=plugins, catch_exceptions=False)


class Page(HTMLParser):
    """What the report loads and shows."""

    def __init__(self):
        super().__init__()
        self.loads, self.charts, self.titles, self.tables, self.links = [], 0, [], [], []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "link", "object", "embed", "source", "video"):
            self.loads.append((tag, attrs))
        if tag == "svg" and "chart" in (attrs.get("class") or ""):
            self.charts += 1
        if tag == "title":
            self._in_title = True
        if tag == "table":
            self.tables.append(attrs.get("data-table"))
        if tag == "a":
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.titles.append(data)


@pytest.fixture
def report(runtime, fake_plugins, tmp_path):
    ids = seed(runtime)
    out = tmp_path / "report.html"
    result = run(
        runtime,
        fake_plugins,
        "report",
        "--since",
        "2026-10-01",
        "--until",
        "2026-12-01",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "4 disputes and 1 returns opened 2026-10-01 to 2026-12-01" in result.output
    return out, ids


def test_report_is_self_contained_and_has_every_chart(report):
    out, ids = report
    html = out.read_text()
    page = Page()
    page.feed(html)
    assert page.loads == [], "no script, image, stylesheet link or frame: nothing to fetch"
    assert "url(" not in html
    assert "@import" not in html
    assert page.charts == TABLES_WITH_CHARTS + 1  # and the ratio history
    assert "Disputes and returns by month" in page.titles
    assert "Cases by category" in page.titles
    assert {"by_month", "by_category", "recovery", "timing", "ratios"} <= set(page.tables)
    assert f"http://127.0.0.1:8000/workspace/cases/{ids['s2']}" in page.links
    assert "<style>" in html, "the stylesheet is inlined"
    assert ".badge" in html
    assert "Win rate<strong>33.33%</strong>" in html


def test_report_opens_offline_in_chromium(report, tmp_path):
    out, _ids = report
    driver = chromium(1280, 900)
    try:
        driver.set_network_conditions(
            offline=True, latency=0, download_throughput=0, upload_throughput=0
        )
        driver.get(out.as_uri())
        sizes = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg.chart'))"
            ".map(function (s) { var r = s.getBoundingClientRect(); return [r.width, r.height]; });"
        )
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"
        )
        png = screenshot(driver, "report", full_page=True)
    finally:
        driver.quit()
    assert len(sizes) == TABLES_WITH_CHARTS + 1
    assert all(width > 300 and height > 50 for width, height in sizes), sizes
    assert fetched == []
    assert len(png) > 10_000


def test_report_refuses_a_backwards_period(runtime, fake_plugins, tmp_path):
    result = run(
        runtime,
        fake_plugins,
        "report",
        "--since",
        "2026-12-01",
        "--until",
        "2026-10-01",
        "--out",
        str(tmp_path / "r.html"),
    )
    assert result.exit_code == 2
    assert "must come after --since" in result.output
    bad = run(runtime, fake_plugins, "report", "--since", "yesterday")
    assert bad.exit_code == 1
    assert "is not a date" in bad.output


def test_ratios_command_raises_alerts(runtime, fake_plugins):
    ids = seed(runtime)
    heard = []

    class Volume:
        @hookimpl
        def disputeflow_order_volume(self, connection, start, end):
            return 40 if connection.id == ids["us"] else None

        @hookimpl
        def disputeflow_ratio_alert(self, alert):
            heard.append(alert)

    fake_plugins.register(Volume(), name="volume")
    quiet = run(runtime, fake_plugins, "ratios", "--month", "2026-11")
    assert quiet.exit_code == 0, quiet.output
    assert (
        "us-store             shopify     2 chargebacks / 40 transactions = 5.00%" in quiet.output
    )
    assert "eu-store" in quiet.output
    assert "(no volume)" in quiet.output
    assert heard == [], "alerts are raised only with --alert"
    listed = json.loads(run(runtime, fake_plugins, "ratios", "--month", "2026-11", "--json").output)
    assert listed == {"month": "2026-11", "alerts": [], "raised": 0}  # 2 is far below 100
    assert run(runtime, fake_plugins, "ratios", "--month", "2026-11", "--alert").exit_code == 0
    assert heard == []
    bad = run(runtime, fake_plugins, "ratios", "--month", "11/2026")
    assert bad.exit_code == 1
    assert "is not a month (YYYY-MM)" in bad.output


def test_ratios_alert_when_a_threshold_is_crossed(runtime, fake_plugins):
    from datetime import UTC, datetime, timedelta

    from disputeflow.engine.ingest import ingest_snapshot
    from tests.builders import snapshot

    ids = seed(runtime)
    august = datetime(2026, 8, 3, tzinfo=UTC)
    for number in range(100):
        at = august + timedelta(hours=number)
        made = snapshot(f"aug-{number}", platform="shopify", observed_at=at, opened_at=at)
        ingest_snapshot(runtime.database, runtime.plugins, ids["us"], made)
    heard = []

    class Plugin:
        @hookimpl
        def disputeflow_order_volume(self, connection, start, end):
            return 5000 if connection.id == ids["us"] else None

        @hookimpl
        def disputeflow_ratio_alert(self, alert):
            heard.append((alert.connection_name, alert.threshold.label, alert.state))

    fake_plugins.register(Plugin(), name="plugin")
    result = run(runtime, fake_plugins, "ratios", "--month", "2026-08", "--alert")
    assert result.exit_code == 0, result.output
    assert "100 chargebacks / 5000 transactions = 2.00%, 100.0 projected: crossed" in result.output
    assert heard == [
        ("us-store", "Mastercard ECP monitored", "crossed"),
        ("us-store", "Mastercard ECP excessive", "crossed"),
    ]
    assert "2 alert(s) raised" in result.output
    assert "ALERT crossed: us-store (shopify) has crossed the Mastercard ECP excessive" in (
        result.output
    )
