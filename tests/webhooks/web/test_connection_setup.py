"""A connection's workspace page tells where its setup stands, as ``connections show`` and
the API do: API access authorised or not (with the full install URL to open), which secrets
were never given, webhooks verified, the last delivery, sync and error, the state
(``needs_reauth``, ``uninstalled``) and the next step, in the reader's language.

The expected next steps are the plugins' own texts as ``connections show`` prints them
(tests/test_cli_connections.py); the Shopify install link is the one the CLI prints.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from disputeflow.engine.store import connections as store
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow, SyncCursorRow
from disputeflow.webhooks.web.connection_setup import step_parts
from tests.webhooks.conftest import SECRET

SHOP = "acme-eu.myshopify.com"
MOMENT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SETUP = re.compile(r'<section class="panel" aria-labelledby="setup-title">.*?</section>', re.S)


@pytest.fixture
def fake_plugins(fake_plugins):
    from disputeflow.plugins.shopify import plugin as shopify
    from disputeflow.plugins.woocommerce import plugin as woocommerce

    fake_plugins.register(shopify, name="shopify")
    fake_plugins.register(woocommerce, name="woocommerce")
    return fake_plugins


def page(client, connection_id, lang="en"):
    response = client.get(f"/workspace/connections/{connection_id}?lang={lang}")
    assert response.status_code == 200, response.text
    return response.text


def fact(text, name):
    """The value of one entry of the setup list: the text of ``<dd id=name>``."""
    found = re.search(rf'<dd id="{name}"[^>]*>(.*?)</dd>', text, re.S)
    assert found, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_a_new_connection_says_what_has_not_happened_yet(as_role, connection):
    text = page(as_role("viewer"), connection["id"])
    url = f"http://127.0.0.1:8000/webhooks/fake/{connection['id']}"
    assert fact(text, "connection-authorised") == "nothing to authorise"
    assert fact(text, "connection-verified") == "not yet"
    assert fact(text, "connection-synced") == "not yet"
    assert fact(text, "connection-errors") == "none"
    assert fact(text, "connection-delivered") == "none yet"
    assert fact(text, "next-step") == f"Give the platform this webhook URL: {url}"
    assert '<dd class="secret"><span class="muted">set (encrypted, never shown)</span>' in text
    assert SECRET not in text
    assert 'id="install-url"' not in text


def test_what_arrived_and_what_failed(as_role, runtime, connection):
    con = connection["id"]
    with runtime.database.session() as session:
        session.add(SyncCursorRow(connection_id=con, interval_seconds=900, last_synced_at=MOMENT,
                                  last_error="2 object(s) failed"))  # fmt: skip
        session.add(DeliveryRow(id="dlv_1", connection_id=con, platform="fake", dedup_key="k1",
                                topic="t", headers={}, body=b"{}", received_at=MOMENT,
                                status="done", attempts=1))  # fmt: skip
        row = session.get(ConnectionRow, con)
        row.rejected_deliveries, row.last_rejected_at = 3, MOMENT
        row.webhook_verified_at = MOMENT
    text = page(as_role("viewer"), con)
    when = "Dec 1, 2026 10:00 AM (UTC)"  # Babel's en medium date, short time
    assert fact(text, "connection-synced") == when
    assert fact(text, "connection-verified") == when
    assert fact(text, "connection-delivered") == when
    assert fact(text, "connection-errors") == (
        "The last sync failed: 2 object(s) failed Deliveries refused for a bad signature or "
        f"secret: 3, the last at {when}."
    )
    assert 'id="next-step"' not in text  # deliveries arrive and nothing is left to authorise


def test_an_unauthorised_store_gives_the_full_install_url_and_the_plugins_next_step(
    as_role, runtime
):
    added = runtime.add_connection(
        "shopify", "eu", {"shop_domain": SHOP, "client_secret": "shpss_x"}
    )
    con = added["id"]
    text = page(as_role("viewer"), con)
    link = f"http://127.0.0.1:8000/install/shopify?shop={SHOP}&amp;link="
    assert fact(text, "connection-authorised") == "not authorised"
    found = re.search(r'<dt>To authorise it, open</dt>\s*<dd><a id="install-url" href="([^"]+)">'
                      r"<code>([^<]+)</code></a></dd>", text)  # fmt: skip
    assert found, SETUP.search(text).group(0)
    assert found.group(1) == found.group(2), "the link shows the whole URL it opens"
    assert found.group(1).startswith(link)
    step = re.search(r'<dd id="next-step"><span lang="en">(.*?)</span>', text, re.S).group(1)
    assert step.startswith("authorise API access: install the app by opening http://127.0.0.1")
    command = f"disputeflow connections update {con} --set grant=client_credentials --set "
    assert f"<code>{command}client_id=...</code>" in step
    assert '<dd class="secret"><strong>not set</strong></dd>' in text  # access_token
    assert "shpss_x" not in text


def test_a_store_that_needs_a_new_install_says_why_and_how(as_role, runtime):
    con = runtime.add_connection("shopify", "eu", {"shop_domain": SHOP, "access_token": "shpat_x",
                                                   "client_secret": "shpss_x"})["id"]  # fmt: skip
    with runtime.database.session() as session:
        row = store.get_row(session, con)
        row.state, row.state_reason = "needs_reauth", "the access token was revoked"
    text = page(as_role("viewer"), con)
    assert 'id="connection-state" class="state state-needs_reauth"' in text
    assert "<dt>Why</dt><dd>the access token was revoked</dd>" in text
    assert fact(text, "connection-authorised") == "authorised"
    assert re.search(r'<dt>To fix it, open</dt>\s*<dd><a id="install-url" href="http://127\.0\.0'
                     r'\.1:8000/install/shopify\?shop=acme-eu', text)  # fmt: skip
    assert "(the link is valid for an hour)" in text


def test_secrets_never_given_read_not_set(as_role, runtime):
    settings = {"store_url": "https://shop.example", "webhook_secret": "whsec-given"}
    con = runtime.add_connection("woocommerce", "shop", settings)["id"]
    text = page(as_role("viewer"), con)
    secrets = dict(re.findall(r'<dt><code>(\w+)</code></dt><dd class="secret">(.*?)</dd>', text))
    assert "set (encrypted" in secrets.pop("webhook_secret")
    assert secrets
    assert all(value == "<strong>not set</strong>" for value in secrets.values())
    assert {"consumer_key", "consumer_secret"} <= set(secrets)
    assert "whsec-given" not in text


def test_the_setup_in_german_and_japanese(as_role, runtime, connection):
    client = as_role("viewer")
    german = page(client, connection["id"], "de")
    assert fact(german, "connection-authorised") == "nichts zu autorisieren"
    assert fact(german, "next-step").startswith("Geben Sie der Plattform diese Webhook-URL:")
    assert "<dt>Letzter Fehler</dt>" in german
    assert "gesetzt (verschlüsselt, wird nie angezeigt)" in german
    settings = {"shop_domain": SHOP, "client_secret": "shpss_x"}
    con = runtime.add_connection("shopify", "eu-shopify", settings)["id"]
    japanese = page(client, con, "ja")
    assert fact(japanese, "connection-authorised") == "未承認"
    assert "<dt>承認するには次を開いてください</dt>" in japanese
    assert '<dd class="secret"><strong>未設定</strong></dd>' in japanese
    step = fact(japanese, "next-step")
    assert step.startswith("authorise API access:"), "the plugin's words, marked as English"
    assert step.endswith("（マーケットプレイスのプラグインが示すとおり英語で表示しています）")  # noqa: RUF001


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("plain", [(False, "plain")]),
        ("run `a b` now", [(False, "run "), (True, "a b"), (False, " now")]),
        ("`x`", [(True, "x")]),
    ],
)
def test_commands_are_set_apart_from_the_prose(text, parts):
    assert [(part["code"], part["text"]) for part in step_parts(text)] == parts
