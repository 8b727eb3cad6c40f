"""The workspace in a real headless Chromium against the live server, with a worker thread
carrying actions to a fake platform API on 127.0.0.1: sign in, filter, open a case, refund
part of it, see the action complete and the timeline grow; every action form; analytics."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputeflow import Deadline, Money, Party
from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.engine.worker import Worker, WorkerOptions
from tests.builders import snapshot
from tests.seeded import seed
from tests.webhooks.web.browser import FakePlatform, chromium, screenshot

WAIT = 20


@pytest.fixture
def database_url(tmp_path):
    """One embedded store shared by the server's threads and the worker (kept to SQLite:
    the browser tests are few and the store code is tested on both databases elsewhere)."""
    return f"sqlite:///{tmp_path / 'workspace.sqlite3'}"


@pytest.fixture(scope="module")
def driver():
    browser = chromium()
    yield browser
    browser.quit()


@pytest.fixture
def platform():
    with FakePlatform() as fake:
        yield fake


@pytest.fixture
def worker(runtime):
    loop = Worker(runtime, WorkerOptions(poll_interval=0.05))
    thread = loop.start_thread()
    yield loop
    loop.stop()
    thread.join(timeout=10)


def by(kind):
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def wait_for_url(driver, part, timeout=WAIT):
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(expected_conditions.url_contains(part))


def wait_for(driver, css, timeout=WAIT):
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        expected_conditions.presence_of_element_located((by("CSS_SELECTOR"), css))
    )


def open_form(driver, name):
    driver.find_element(by("CSS_SELECTOR"), f"#form-{name} summary").click()
    return driver.find_element(by("CSS_SELECTOR"), f"#form-{name} form")


def submit(driver, name, **fields):
    """Fill and send one action form; the page it leads to."""
    form = open_form(driver, name)
    for field, value in fields.items():
        element = form.find_element(by("NAME"), field)
        if element.tag_name == "select":
            from selenium.webdriver.support.ui import Select

            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            element.click()
        else:
            element.clear()
            element.send_keys(value)
    form.find_element(by("CSS_SELECTOR"), "button[type=submit]").click()
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    # The POST leads to a new page: wait until the old one is gone before reading it.
    WebDriverWait(driver, WAIT).until(expected_conditions.staleness_of(form))
    return driver


def timeline_length(driver):
    return len(driver.find_elements(by("CSS_SELECTOR"), "#timeline > li"))


@pytest.fixture
def shop(runtime, platform):
    """A store on the fake platform with three open cases and the analytics data set."""
    connection = runtime.add_connection(
        "fake", "eu", {"signing_secret": "s", "shop": "eu-shop", "api_base_url": platform.url}
    )
    now = utcnow()

    def add(external_id, hours, **fields):
        fields.setdefault("observed_at", now - timedelta(days=1))
        fields.setdefault("opened_at", now - timedelta(days=1))
        due = (Deadline("platform_response", now + timedelta(hours=hours), "fake"),)
        made = snapshot(external_id, deadlines=due, **fields)
        return ingest_snapshot(runtime.database, runtime.plugins, connection["id"], made).case.id

    cases = {
        "dispute": add("4711", -2, buyer=Party(country="DE")),
        "return": add(
            "R-2001",
            6,
            kind="return",
            object_type="return",
            category="damaged",
            amount=Money("40.00", "EUR"),
            buyer=Party(name="Sam Buyer", country="US"),
        ),
        "other": add(
            "R-2002",
            70,
            kind="return",
            object_type="return",
            category="changed_mind",
            amount=Money("25.00", "EUR"),
            buyer=Party(country="US"),
        ),
    }
    seed(runtime, api_base_url=platform.url)
    with runtime.database.session() as session:
        cases["token"] = tokens.create(session, name="Ana", role=Role.AGENT).token
    cases["connection"] = connection["id"]
    return cases


def test_agent_works_a_case_in_the_browser(driver, live_server, shop, worker, platform):
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/")
    assert "/workspace/sign-in" in driver.current_url
    screenshot(driver, "sign-in")
    driver.find_element(by("ID"), "token").send_keys(shop["token"])
    driver.find_element(by("CSS_SELECTOR"), "main form button[type=submit]").click()
    wait_for(driver, "table.cases")
    rows = driver.find_elements(by("CSS_SELECTOR"), "table.cases tbody tr")
    levels = [row.get_attribute("class") for row in rows]
    assert levels[0] == "overdue"
    assert "OVERDUE" in rows[0].text
    assert levels.index("soon") > levels.index("overdue"), "most urgent first"
    (soon,) = [row for row in rows if "R-2001" in row.text]
    assert soon.get_attribute("class") == "soon"
    assert "DUE SOON" in soon.text
    screenshot(driver, "inbox")

    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(by("ID"), "f-kind")).select_by_value("return")
    Select(driver.find_element(by("ID"), "f-country")).select_by_value("US")
    driver.find_element(by("CSS_SELECTOR"), "form.filters button[type=submit]").click()
    wait_for_url(driver, "kind=return")  # the old page has a table.cases too: wait for the new
    wait_for(driver, "table.cases")
    assert "kind=return" in driver.current_url
    links = driver.find_elements(by("CSS_SELECTOR"), "table.cases tbody td[data-cell=case] a")
    assert [link.text for link in links] == ["Return R-2001", "Return R-2002"]
    links[0].click()

    wait_for(driver, "#timeline")
    before = timeline_length(driver)
    submit(driver, "refund", amount="15.00", rationale="damaged corner, kept the item")
    assert "Refund: queued." in driver.find_element(by("CSS_SELECTOR"), ".flash").text
    wait_for(driver, 'li.action[data-status="succeeded"]')  # the page's script reloads it
    assert timeline_length(driver) > before + 1, "requested, then succeeded, on the timeline"
    done = driver.find_element(by("CSS_SELECTOR"), 'li.action[data-status="succeeded"]').text
    assert "Refund €15.00" in done
    assert "The platform said: refund done" in done, "the platform's answer is shown"
    (call,) = platform.calls
    assert call["path"] == "/returns/R-2001/actions"
    assert call["body"]["amount"] == {"value": "15.00", "currency": "EUR"}
    assert call["key"], "sent with its idempotency key"
    screenshot(driver, "case", full_page=True)


def test_every_action_form_in_the_browser(driver, live_server, shop, worker, platform):
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/sign-in")
    driver.find_element(by("ID"), "token").send_keys(shop["token"])
    driver.find_element(by("CSS_SELECTOR"), "main form button[type=submit]").click()
    wait_for(driver, "table.cases")

    driver.get(f"{live_server}/workspace/cases/{shop['other']}")
    submit(driver, "decline_return", rationale="")
    error = driver.find_element(by("ID"), "f-decline_return-rationale-error")
    assert error.text == "Give the reason for declining."
    field = driver.find_element(by("ID"), "f-decline_return-rationale")
    assert field.get_attribute("aria-invalid") == "true"
    screenshot(driver, "case-validation", full_page=True)
    driver.set_window_size(1280, 900)
    for name, fields in (
        ("add_note", {"message": "Buyer called, wants an exchange"}),
        ("assign", {"assignee": "Team returns"}),
        ("decline_return", {"rationale": "Outside our 30-day window"}),
        ("approve_return", {"rationale": "Goodwill"}),
    ):
        submit(driver, name, **fields)
        flash = driver.find_element(by("CSS_SELECTOR"), ".flash").text
        assert flash.endswith((": queued.", ": recorded.")), name
    assert "Team returns" in driver.find_element(by("CSS_SELECTOR"), ".facts").text

    driver.get(f"{live_server}/workspace/cases/{shop['dispute']}")
    submit(
        driver,
        "contest",
        evidence_kind="proof_of_delivery",
        evidence_description="Signed for by the buyer",
        evidence_url="https://files.example/pod.pdf",
        rationale="Delivered on time",
    )
    submit(driver, "accept", rationale="Second thoughts")
    wait_for(driver, 'li.action[data-status="succeeded"] + li.action[data-status="succeeded"]')
    sent = sorted(call["body"]["type"] for call in platform.calls)
    assert sent == ["accept", "approve_return", "contest", "decline_return"]
    contest = next(c for c in platform.calls if c["body"]["type"] == "contest")
    assert contest["body"]["evidence"][0]["kind"] == "proof_of_delivery"


def test_analytics_and_ratios_in_the_browser(driver, live_server, shop):
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/sign-in")
    driver.find_element(by("ID"), "token").send_keys(shop["token"])
    driver.find_element(by("CSS_SELECTOR"), "main form button[type=submit]").click()
    wait_for(driver, "table.cases")
    driver.get(f"{live_server}/workspace/analytics?since=2026-10-01&until=2026-12-01")
    charts = driver.find_elements(by("CSS_SELECTOR"), "svg.chart")
    assert len(charts) == 9
    assert all(chart.size["height"] > 50 and chart.size["width"] > 300 for chart in charts)
    assert "33.33%" in driver.find_element(by("CSS_SELECTOR"), ".cards").text
    screenshot(driver, "analytics", full_page=True)
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/ratios")
    assert driver.find_elements(by("CSS_SELECTOR"), 'table[data-table="ratios"] tbody tr')
    screenshot(driver, "ratios")
    driver.set_window_size(390, 844)  # a phone
    driver.get(f"{live_server}/workspace/?kind=return")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "nothing sticks out sideways on a phone"
    screenshot(driver, "inbox-phone")


def test_the_workspace_in_german_and_japanese(driver, live_server, shop):
    """The same workspace in German, then Japanese: picked on the sign-in page and kept,
    switched from the header, dates and money written for the language (screenshots for
    docs/workspace.md)."""
    driver.delete_all_cookies()
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/sign-in?lang=de")
    assert driver.find_element(by("TAG_NAME"), "h1").text == "Beim Arbeitsbereich anmelden"
    driver.find_element(by("ID"), "token").send_keys(shop["token"])
    driver.find_element(by("CSS_SELECTOR"), "main form button[type=submit]").click()
    wait_for(driver, "table.cases")
    assert driver.find_element(by("TAG_NAME"), "html").get_attribute("lang") == "de"
    assert driver.find_element(by("TAG_NAME"), "h1").text == "Posteingang"
    rows = driver.find_elements(by("CSS_SELECTOR"), "table.cases tbody tr")
    assert "ÜBERFÄLLIG" in rows[0].text  # the badge, upper case by the stylesheet
    (soon,) = [row for row in rows if "R-2001" in row.text]
    assert "40,00 €" in soon.text
    assert "Sam Buyer · Vereinigte Staaten" in soon.text
    screenshot(driver, "inbox-de")
    driver.get(f"{live_server}/workspace/cases/{shop['return']}")
    sources = [td.text for td in driver.find_elements(by("CSS_SELECTOR"), "td[data-cell=source]")]
    assert "Antwortfrist von Fake marketplace" in sources
    assert "Rücksendung R-2001" in driver.find_element(by("TAG_NAME"), "h1").text
    screenshot(driver, "case-de", full_page=True)
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/analytics?since=2026-10-01&until=2026-12-01")
    assert "33,33 %" in driver.find_element(by("CSS_SELECTOR"), ".cards").text
    assert len(driver.find_elements(by("CSS_SELECTOR"), "svg.chart")) == 9
    screenshot(driver, "analytics-de", full_page=True)

    driver.set_window_size(1280, 900)
    driver.find_element(by("CSS_SELECTOR"), 'nav.languages a[hreflang="ja"]').click()
    wait_for(driver, 'html[lang="ja"]')
    assert driver.find_element(by("TAG_NAME"), "h1").text == "予防のための分析"
    driver.get(f"{live_server}/workspace/")
    assert driver.find_element(by("TAG_NAME"), "h1").text == "受信箱", "the choice is kept"
    screenshot(driver, "inbox-ja")
    driver.get(f"{live_server}/workspace/cases/{shop['return']}")
    heading = driver.find_element(by("TAG_NAME"), "h1").text
    assert heading.startswith("返品 R-2001")
    assert "€40.00" in driver.find_element(by("CSS_SELECTOR"), ".facts").text
    screenshot(driver, "case-ja", full_page=True)
    driver.set_window_size(390, 844)  # a phone
    driver.get(f"{live_server}/workspace/?kind=return")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "nothing sticks out sideways on a phone, in Japanese either"
    screenshot(driver, "inbox-phone-ja")
    driver.delete_all_cookies()


def test_a_connections_setup_in_german_and_japanese(driver, live_server, shop):
    """A connection's page tells where its setup stands (as ``connections show`` does), in
    the reader's language; its long webhook URL wraps on a phone (screenshots for
    docs/workspace.md)."""
    driver.delete_all_cookies()
    driver.set_window_size(1280, 900)
    driver.get(f"{live_server}/workspace/sign-in?lang=de")
    driver.find_element(by("ID"), "token").send_keys(shop["token"])
    driver.find_element(by("CSS_SELECTOR"), "main form button[type=submit]").click()
    wait_for(driver, "table.cases")
    driver.get(f"{live_server}/workspace/connections/{shop['connection']}")
    assert driver.find_element(by("ID"), "setup-title").text == "Einrichtung"
    assert driver.find_element(by("ID"), "connection-authorised").text == "nichts zu autorisieren"
    step = driver.find_element(by("ID"), "next-step").text
    assert step.startswith("Geben Sie der Plattform diese Webhook-URL:")
    assert f"/webhooks/fake/{shop['connection']}" in step
    screenshot(driver, "connection-de", full_page=True)
    driver.set_window_size(390, 844)  # a phone
    driver.get(f"{live_server}/workspace/connections/{shop['connection']}?lang=ja")
    assert driver.find_element(by("ID"), "setup-title").text == "セットアップ"
    assert driver.find_element(by("ID"), "connection-errors").text == "なし"
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the webhook URL wraps instead of sticking out on a phone"
    screenshot(driver, "connection-phone-ja", full_page=True)
    driver.set_window_size(1280, 900)
    driver.delete_all_cookies()
