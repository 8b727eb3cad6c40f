"""``/api/docs`` in a real headless Chromium on a live server: Swagger UI renders the
operations under the page's own CSP, with every request to this origin (issue 16: the
page was blank without internet)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.webhooks.web.browser import chromium


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'docs-browser.sqlite3'}"


def test_swagger_ui_renders_from_the_package_under_the_csp(live_server):
    driver = chromium()
    try:
        driver.get(f"{live_server}/api/docs")
        WebDriverWait(driver, 20).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock"))
        )
        paths = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
        assert "/api/v1/cases" in " ".join(paths)
        requested = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert requested
        assert all(url.startswith(live_server) for url in requested), requested
        problems = [
            entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"]
        ]  # fmt: skip
        assert problems == []
    finally:
        driver.quit()
