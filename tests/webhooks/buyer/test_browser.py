"""The buyer pages in a real headless Chromium (Debian's, through its chromedriver) against
the live server: the request form in German ending on the new case's page, and a reply with
a file on a case page in Japanese; both seen on the merchant side through the JSON API."""

from __future__ import annotations

import pytest
import requests

from disputeflow import Party
from disputeflow.features.transparency import links
from tests.core.transparency.conftest import a_return
from tests.webhooks.buyer.conftest import PNG
from tests.webhooks.web.browser import chromium, screenshot

WAIT = 20


@pytest.fixture
def database_url(tmp_path):
    """One embedded store for the server's threads (the store code runs on both databases
    in the other buyer tests)."""
    return f"sqlite:///{tmp_path / 'buyer.sqlite3'}"


@pytest.fixture(scope="module")
def driver():
    browser = chromium(width=900, height=1200)
    yield browser
    browser.quit()


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def wait_for_text(driver, selector, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(
        expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text)
    )


def merchant_view(live_server, agent, case_id):
    answer = requests.get(f"{live_server}/api/v1/cases/{case_id}", headers=agent, timeout=10)
    assert answer.status_code == 200
    return answer.json()


def test_the_request_form_in_german_opens_a_case_the_merchant_sees(
    driver, live_server, shop, agent, tmp_path
):
    photo = tmp_path / "tasse.png"
    photo.write_bytes(PNG)
    driver.get(f"{live_server}/buyer/request/{shop['id']}?lang=de")
    assert css(driver, "html").get_attribute("lang") == "de"
    assert css(driver, "h1").text == "Ein Problem mit einer Bestellung melden"
    css(driver, "#order_number").send_keys("1001")
    css(driver, "#email").send_keys("jana@example.de")
    css(driver, "form button[type=submit]").click()
    wait_for_text(driver, "h1", "Ihre Bestellung #1001")
    assert "14 Tage Zeit" in css(driver, "main").text
    css(driver, "label[for=category-damaged]").click()
    css(driver, "#message").send_keys("Die Tasse kam zerbrochen an.")
    css(driver, "#files").send_keys(str(photo))
    screenshot(driver, "buyer-request", full_page=True)
    css(driver, "form button[type=submit]").click()
    wait_for_text(driver, "h1", "Ihr Fall zur Bestellung #1001")
    page = css(driver, "main").text
    assert "Die Tasse kam zerbrochen an." in page
    assert "tasse.png" in page
    assert "Wartet auf den Shop" in page
    case_id = driver.current_url.split("/buyer/cases/")[1].split("/")[0]
    seen = merchant_view(live_server, agent, case_id)
    assert seen["object_type"] == "buyer_request"
    assert seen["category"] == "damaged"
    assert seen["messages"][0]["body"] == "Die Tasse kam zerbrochen an."
    assert [(e["kind"], e["filename"]) for e in seen["evidence"]] == [("buyer_file", "tasse.png")]


def test_a_reply_with_a_file_in_japanese_reaches_the_merchant(
    driver, live_server, runtime, case_of, agent, tmp_path
):
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    buyer = Party(name="Aoi", email="aoi@example.jp", country="JP", locale="ja-JP")
    case_id, path = case_of(a_return("r7", buyer=buyer))
    driver.get(f"{live_server}{path}")
    assert css(driver, "html").get_attribute("lang") == "ja"
    wait_for_text(driver, "h1", "注文 #r7 に関するお客様の案件")
    css(driver, "#message").send_keys("箱がつぶれていました。領収書を添付します。")
    css(driver, "#files").send_keys(str(receipt))
    css(driver, "form button[type=submit]").click()
    wait_for_text(driver, ".notice", "ショップにメッセージが届きました")
    page = css(driver, "main").text
    assert "箱がつぶれていました。" in page
    assert "receipt.pdf" in page
    assert "日本時間" in page  # times in the buyer's own zone
    assert "独自の返品規定" in page  # Japan: only where the store states no policy
    screenshot(driver, "buyer-case", full_page=True)
    seen = merchant_view(live_server, agent, case_id)
    last = seen["messages"][-1]
    assert (last["party"], last["body"]) == ("buyer", "箱がつぶれていました。領収書を添付します。")
    assert ("buyer_file", "receipt.pdf", "application/pdf") in [
        (e["kind"], e["filename"], e["content_type"]) for e in seen["evidence"]
    ]
    assert links.check_case_token(runtime.secrets, case_id, path.rsplit("/", 1)[1])
