"""No secret or token ever reaches a log record, at any level, from any logger.

Every logger (disputeflow's, SQLAlchemy's with its statements and parameters, werkzeug's,
urllib3's) is captured at DEBUG while the service does the things that handle secrets:
connections created with secret settings (through the core and through the API), tokens
created (API and store) and used (API and the workspace sign-in), unknown tokens refused,
signed and forged deliveries taken in, deliveries processed, actions run against a
platform that fails, refuses and then succeeds. Then no record mentions any of them.
"""

from __future__ import annotations

import logging

import pytest
import responses

from disputeflow import Money
from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import ActionType, Role
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.engine.store import tokens
from disputeflow.engine.store.secrets import KEY_FILE_NAME
from disputeflow.webhooks.app import create_app
from tests.fakes.http_api import BASE_URL, FakePlatformAPI
from tests.webhooks.conftest import dispute, signed
from tests.webhooks.web.conftest import sign_in

FAKE_SECRET = "whsec-test"  # the fake connection's (tests.webhooks.conftest signs with it)
SECRETS = {
    "api_connection": "whsec_api_created_0f9e8d7c6b5a",
    "shopify_client": "shpss_log_test_client_secret_1a2b3c4d",
    "shopify_token": "shpat_log_test_access_token_5e6f7a8b",
    "woo_key": "ck_log_test_consumer_key_9c0d1e2f3a4b5c6d7e8f",
    "woo_secret": "cs_log_test_consumer_secret_0a1b2c3d4e5f6a7b",
    "woo_webhook": "wc_log_test_webhook_secret_77aa88bb",
    "unknown_token": "dft_not_a_real_token_but_secret_looking_123456",
}


@pytest.fixture
def fake_plugins(plugin_manager):
    from disputeflow.plugins.shopify import plugin as shopify
    from disputeflow.plugins.woocommerce import plugin as woocommerce
    from tests.fakes import plugin as fake

    for name, module in (("shopify", shopify), ("woocommerce", woocommerce), ("fake", fake)):
        plugin_manager.register(module, name=name)
    return plugin_manager


@pytest.fixture
def records():
    """Every log record of every logger, from DEBUG up, while the test runs."""
    captured: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    root = logging.getLogger()
    handler = Keep(level=logging.DEBUG)
    # Libraries quiet their own loggers (SQLAlchemy sets "sqlalchemy" to WARNING): open all.
    names = ["", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "urllib3", "werkzeug",
             *logging.root.manager.loggerDict]  # fmt: skip
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _text(record: logging.LogRecord) -> str:
    parts = [logging.Formatter().format(record), repr(record.args), str(record.msg)]
    return "\n".join(parts)


def test_secrets_and_tokens_never_reach_a_log_record(runtime, records):
    app = create_app(runtime, {"TESTING": True})
    client = app.test_client()
    issued = []

    with runtime.database.session() as session:
        admin = tokens.create(session, name="root", role=Role.ADMIN).token
    issued.append(admin)
    bearer = {"Authorization": f"Bearer {admin}"}

    # connections with secrets: through the core, and through the API
    fake = runtime.add_connection("fake", "eu", {"signing_secret": FAKE_SECRET, "shop": "eu-shop",
                                                 "api_base_url": BASE_URL})  # fmt: skip
    runtime.add_connection("shopify", "shop", {
        "shop_domain": "log-test.myshopify.com", "client_secret": SECRETS["shopify_client"],
        "access_token": SECRETS["shopify_token"],
    })  # fmt: skip
    runtime.add_connection("woocommerce", "woo", {
        "store_url": "https://woo.example", "consumer_key": SECRETS["woo_key"],
        "consumer_secret": SECRETS["woo_secret"], "webhook_secret": SECRETS["woo_webhook"],
    })  # fmt: skip
    created = client.post("/api/v1/connections", headers=bearer, json={
        "platform": "fake", "name": "api", "settings": {"signing_secret": SECRETS["api_connection"],
                                                        "shop": "api-shop"},
    })  # fmt: skip
    assert created.status_code == 201, created.get_json()

    # tokens: created through the API, used, and an unknown one refused
    answer = client.post("/api/v1/tokens", headers=bearer, json={"name": "bot", "role": "agent"})
    assert answer.status_code == 201
    issued.append(answer.get_json()["token"])
    agent = {"Authorization": f"Bearer {issued[-1]}"}
    assert client.get("/api/v1/cases", headers=agent).status_code == 200
    refused = client.get(
        "/api/v1/cases", headers={"Authorization": f"Bearer {SECRETS['unknown_token']}"}
    )
    assert refused.status_code == 401
    browser = app.test_client()
    assert sign_in(browser, admin).status_code == 302
    assert sign_in(app.test_client(), SECRETS["unknown_token"]).status_code == 401

    # deliveries: signed, forged, processed
    url = f"/webhooks/fake/{fake['id']}"
    for payload in (dispute("r1", type="return", status="requested", reason="changed_mind"),
                    dispute("d2")):  # fmt: skip
        body, headers = signed(payload)
        assert client.post(url, data=body, headers=headers).status_code == 200
    body, headers = signed(dispute("d3"), secret="not-the-secret")
    assert client.post(url, data=body, headers=headers).status_code == 401
    process_deliveries(runtime, policy=RetryPolicy(max_attempts=1, backoff_seconds=(0,)))

    # actions against a platform that fails, then refuses, then does it
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        platform = FakePlatformAPI(mock)
        platform.script += [(500, {}, {"error": "boom"}), (400, {}, {"error": "no"})]
        listed = client.get("/api/v1/cases?kind=return", headers=agent).get_json()["items"]
        case_id = listed[0]["id"]
        policy = RetryPolicy(max_attempts=3, backoff_seconds=(0,))
        request_action(runtime, case_id, ActionInput(ActionType.REFUND,
                                                     amount=Money("1.00", "EUR")))  # fmt: skip
        for _ in range(2):
            process_actions(runtime, now=utcnow(), policy=policy)
        request_action(runtime, case_id, ActionInput(ActionType.APPROVE_RETURN))
        process_actions(runtime, now=utcnow(), policy=policy)
        assert len(platform.action_calls) == 3

    key_file = (runtime.settings.home / KEY_FILE_NAME).read_text().strip()
    cookie = browser.get_cookie("disputeflow_session")
    assert cookie is not None
    needles = {*SECRETS.values(), FAKE_SECRET, *issued, key_file, cookie.value,
               str(app.config["SECRET_KEY"])}  # fmt: skip
    assert len(records) > 50  # the capture works (SQL statements alone are many)
    assert any(r.name.startswith("sqlalchemy.engine") for r in records)
    leaks = [(r.name, needle[:12]) for r in records for needle in needles if needle in _text(r)]
    assert leaks == []
