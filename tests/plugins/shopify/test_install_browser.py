"""The install flow in Debian's Chromium, from the workspace: an admin signs in, makes an
install link for a shop, follows it; a fake Shopify on 127.0.0.1 shows its consent page by
redirecting straight back (signing the callback by Shopify's documented rule: hex
HMAC-SHA256 over the sorted ``key=value`` pairs, shopify.dev "Authorization code grant"),
answers the code exchange and the webhook subscriptions; the workspace shows the store."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from waitress.server import create_server

from disputeflow.core.taxonomy import Role
from disputeflow.engine.config import Settings
from disputeflow.engine.store import connections as store
from disputeflow.engine.store import tokens
from disputeflow.webhooks.app import create_app
from tests.plugins.shopify.conftest import SHOP
from tests.webhooks.web.browser import chromium

APP_SECRET = "shpss_browser_app_secret"
WAIT = 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()


@pytest.fixture
def settings(tmp_path):
    return Settings(
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'install.sqlite3'}",
        public_url=f"http://127.0.0.1:{PORT}",
        secret_key=None,
    )


class FakeShopify(BaseHTTPRequestHandler):
    """Consent (a redirect back, signed), the code exchange, the webhook subscriptions."""

    exchanges: ClassVar[list[dict]] = []

    def log_message(self, *args):
        pass

    def _json(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        back = {"code": "browser-code", "shop": SHOP, "state": query["state"],
                "timestamp": str(int(time.time()))}  # fmt: skip
        message = "&".join(f"{k}={v}" for k, v in sorted(back.items()))
        back["hmac"] = hmac.new(APP_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
        self.send_response(302)
        self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
        self.end_headers()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/admin/oauth/access_token":
            type(self).exchanges.append(body)
            return self._json({"access_token": "shpat_browser", "scope": "read_orders",
                               "expires_in": 3600, "refresh_token": "shprt_browser"})  # fmt: skip
        if "webhookSubscriptionCreate" in body["query"]:
            return self._json({"data": {"webhookSubscriptionCreate": {
                "webhookSubscription": {"id": "w"}, "userErrors": []}}})  # fmt: skip
        return self._json({"data": {"webhookSubscriptions": {
            "nodes": [], "pageInfo": {"hasNextPage": False}}}})  # fmt: skip


@pytest.fixture
def fake_shopify(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeShopify)
    FakeShopify.exchanges = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DISPUTEFLOW_SHOPIFY_ADMIN_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("DISPUTEFLOW_SHOPIFY_CLIENT_ID", "browser-client-id")
    monkeypatch.setenv("DISPUTEFLOW_SHOPIFY_CLIENT_SECRET", APP_SECRET)
    yield server
    server.shutdown()


@pytest.fixture
def served(runtime, fake_shopify):
    app = create_app(runtime, {"TESTING": True})
    server = create_server(app, host="127.0.0.1", port=PORT, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{PORT}"
    server.close()
    thread.join(timeout=5)


def test_an_admin_installs_a_store_from_the_workspace(runtime, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    with runtime.database.session() as session:
        token = tokens.create(session, name="Admin", role=Role.ADMIN).token
    driver = chromium()
    try:
        wait = WebDriverWait(driver, WAIT)
        driver.get(f"{served}/workspace/sign-in")
        driver.find_element(By.NAME, "token").send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        # the sign-in page's own URL holds "/workspace/" too: wait until it is left
        wait.until(lambda browser: "/sign-in" not in browser.current_url)
        driver.get(f"{served}/workspace/connections")
        driver.find_element(By.ID, "i-account").send_keys(SHOP)
        driver.find_element(By.CSS_SELECTOR, "#install-title ~ form button").click()
        wait.until(seen.presence_of_element_located((By.ID, "install-link"))).click()
        state = wait.until(seen.presence_of_element_located((By.ID, "connection-state")))
        assert state.text == "active"
        assert "/workspace/connections/con_" in driver.current_url
        assert "Installed" in driver.page_source
    finally:
        driver.quit()
    assert len(FakeShopify.exchanges) == 1
    assert FakeShopify.exchanges[0]["code"] == "browser-code"
    with runtime.database.session() as session:
        (row,) = store.list_rows(session, platform="shopify")
        settings = runtime.connection(row).settings
    assert (settings["shop_domain"], settings["access_token"]) == (SHOP, "shpat_browser")
