"""``disputeflow connections``: a merchant can fix a connection without losing its cases
(issue 21): ``update`` changes settings, ``show`` says where the setup stands (authorised,
deliveries, last sync, last error, the next step), ``add`` ends with the next step in full,
and ``remove`` of an unknown id says so before asking anything."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from disputeflow.engine.config import Settings
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import CaseRow, SyncCursorRow
from tests.builders import snapshot

SECRET = "topsecret-value"
SHOP = "acme-eu.myshopify.com"


@pytest.fixture(autouse=True)
def _served_at_the_default(monkeypatch):
    for name in ("DISPUTEFLOW_PUBLIC_URL", "DISPUTEFLOW_HOST", "DISPUTEFLOW_PORT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def all_plugins(fake_plugins):
    """The fake marketplace and the three first-party ones, as their entry points load."""
    from disputeflow.plugins.ebay import plugin as ebay
    from disputeflow.plugins.shopify import plugin as shopify
    from disputeflow.plugins.woocommerce import plugin as woocommerce

    for name, module in (("shopify", shopify), ("ebay", ebay), ("woocommerce", woocommerce)):
        fake_plugins.register(module, name=name)
    return fake_plugins


def add(invoke, platform="fake", name="eu", *pairs):
    pairs = pairs or ("shop=eu", f"signing_secret={SECRET}")
    args = [arg for pair in pairs for arg in ("--set", pair)]
    result = invoke("connections", "add", platform, "--name", name, *args)
    assert result.exit_code == 0, result.output
    return result.output


def connection_id(output):
    return output.split()[1]


def with_runtime(plugins, work):
    runtime = Runtime.create(Settings.from_env(), plugins=plugins)
    try:
        return work(runtime)
    finally:
        runtime.close()


def count_cases(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(CaseRow))


def test_update_rotates_a_secret_and_keeps_every_case(invoke, fake_plugins):
    con = connection_id(add(invoke))

    def two_cases(runtime):
        for external_id in ("c1", "c2"):
            ingest_snapshot(runtime.database, runtime.plugins, con,
                            snapshot(external_id=external_id))  # fmt: skip
        return count_cases(runtime)

    assert with_runtime(fake_plugins, two_cases) == 2
    result = invoke("connections", "update", con, "--set", "signing_secret=rotated-secret",
                    "--set", "shop=de")  # fmt: skip
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == f"connection {con} (eu) updated: set shop, signing_secret"
    assert "rotated-secret" not in result.output
    assert with_runtime(fake_plugins, count_cases) == 2
    settings = with_runtime(fake_plugins, lambda r: dict(r.connection_by_id(con).settings))
    assert settings == {"shop": "de", "signing_secret": "rotated-secret"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unset", "shop"), "shop: Missing data for required field."),
        (("--unset", "colour"), "not a setting of fake: colour (its settings: "),
        (("--set", "colour=red"), "colour: Unknown field."),
        (("--set", "shop=x", "--unset", "shop"), "both set and unset: shop"),
        ((), "no settings to change"),
        (("--set", "novalue"), "--set takes key=value"),
    ],
)
def test_update_refuses_in_one_line_and_changes_nothing(invoke, fake_plugins, args, message):
    con = connection_id(add(invoke))
    result = invoke("connections", "update", con, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.strip().count("\n") == 0
    assert "Traceback" not in result.output
    settings = with_runtime(fake_plugins, lambda r: dict(r.connection_by_id(con).settings))
    assert settings == {"shop": "eu", "signing_secret": SECRET}


def test_update_of_an_unknown_connection_says_so(invoke):
    result = invoke("connections", "update", "con_nope", "--set", "shop=x")
    assert result.exit_code == 1
    assert "no connection 'con_nope'" in result.output


def test_show_says_which_secrets_were_never_given(invoke, all_plugins):
    con = connection_id(add(invoke, "woocommerce", "shop", "store_url=https://shop.example",
                            "webhook_secret=whsec-given"))  # fmt: skip
    shown = invoke("connections", "show", con).output
    assert "settings.webhook_secret: ******** (encrypted)" in shown
    assert "settings.consumer_key: not set" in shown
    assert "settings.wpswings_secret_key: not set" in shown
    assert "whsec-given" not in shown
    as_json = json.loads(invoke("connections", "show", con, "--json").output)
    assert as_json["secrets_set"] == ["webhook_secret"]
    assert "whsec-given" not in json.dumps(as_json)


def test_show_tells_where_the_setup_stands(invoke, fake_plugins):
    con = connection_id(add(invoke))
    shown = invoke("connections", "show", con).output
    url = f"http://127.0.0.1:8000/webhooks/fake/{con}"
    assert "authorised: nothing to authorise" in shown
    assert "webhooks verified: no" in shown
    assert "last delivery: none yet" in shown
    assert "last sync: never" in shown
    assert "last error: none" in shown
    assert f"next step: give the platform this webhook URL: {url}" in shown

    def activity(runtime):
        ingest_snapshot(runtime.database, runtime.plugins, con, snapshot())
        from datetime import UTC, datetime

        from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow

        moment = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        with runtime.database.session() as session:
            session.add(
                SyncCursorRow(
                    connection_id=con,
                    interval_seconds=900,
                    last_synced_at=moment,
                    last_error="2 object(s) failed",
                )
            )
            session.add(
                DeliveryRow(
                    id="dlv_1",
                    connection_id=con,
                    platform="fake",
                    dedup_key="k1",
                    topic="t",
                    headers={},
                    body=b"{}",
                    received_at=moment,
                    status="done",
                    attempts=1,
                )
            )
            row = session.get(ConnectionRow, con)
            row.rejected_deliveries, row.last_rejected_at = 3, moment  # fmt: skip

    with_runtime(fake_plugins, activity)
    shown = invoke("connections", "show", con).output
    assert "last delivery: 2026-12-01T10:00:00Z" in shown
    assert "last sync: 2026-12-01T10:00:00Z" in shown
    assert ("last error: 2 object(s) failed; 3 delivery(ies) rejected (a bad signature or "
            "secret), the last at 2026-12-01T10:00:00Z") in shown  # fmt: skip
    assert "next step" not in shown  # deliveries arrive and nothing is left to authorise


def test_add_ends_with_the_next_step_in_full(invoke, all_plugins):
    shopify = add(invoke, "shopify", "eu", f"shop_domain={SHOP}", "client_secret=shpss_x")
    con = connection_id(shopify)
    assert (
        "next step: authorise API access: install the app by opening "
        f"http://127.0.0.1:8000/install/shopify?shop={SHOP}&link="
    ) in shopify
    assert f"`disputeflow connections update {con} --set grant=client_credentials" in shopify
    shown = invoke("connections", "show", con).output
    assert "authorised: no" in shown
    link = f"http://127.0.0.1:8000/install/shopify?shop={SHOP}&link="
    assert f"to authorise it, open: {link}" in shown
    token = invoke("connections", "update", con, "--set", "access_token=shpat_x").output
    subscribe = f"`disputeflow connections register-webhooks {con}`"
    assert f"next step: subscribe the shop's webhooks: {subscribe}" in token
    assert "authorised: yes" in invoke("connections", "show", con).output


def test_add_ebay_names_the_consent_and_deletion_endpoint(invoke, all_plugins):
    added = add(invoke, "ebay", "ebay-de", "marketplace_id=EBAY_DE", "client_id=App-1",
                "client_secret=PRD-1")  # fmt: skip
    con = connection_id(added)
    command = f"`disputeflow connections update {con}"
    assert (
        f"next step: authorise API access: add the app's RuName: {command} "
        "--set ru_name=...`; in eBay's developer portal set the RuName's accept "
        "URL to http://127.0.0.1:8000/install/ebay/callback; then the seller opens "
        f"http://127.0.0.1:8000/install/ebay/{con} and signs in to eBay"
    ) in added
    authorised = invoke("connections", "update", con, "--set", "refresh_token=v^1.1#x").output
    assert (
        "next step: register the account-deletion endpoint in eBay's developer portal (Alerts & "
        f"Notifications): endpoint http://127.0.0.1:8000/webhooks/ebay/{con}, verification "
        "token: this connection's verification_token (set it first: "
    ) in authorised


def test_add_woocommerce_says_where_the_keys_go(invoke, all_plugins):
    added = add(invoke, "woocommerce", "shop", "store_url=https://shop.example",
                "webhook_secret=whsec-given")  # fmt: skip
    con = connection_id(added)
    assert "WooCommerce > Settings > Advanced > REST API > Add key (Read/Write)" in added
    assert f"`disputeflow connections update {con} --set consumer_key=ck_..." in added
    keys = invoke("connections", "update", con, "--set", "consumer_key=ck_1",
                  "--set", "consumer_secret=cs_1").output  # fmt: skip
    assert f"`disputeflow connections register-webhooks {con}`" in keys
    assert f"delivery URL http://127.0.0.1:8000/webhooks/woocommerce/{con}" in keys


def test_remove_of_an_unknown_id_says_so_before_asking(invoke):
    result = invoke("connections", "remove", "con_nope")  # no --yes: it would ask
    assert result.exit_code == 1
    assert "no connection 'con_nope'" in result.output
    assert "Remove" not in result.output


def test_remove_asks_with_the_name_and_keeps_on_no(invoke, fake_plugins):
    con = connection_id(add(invoke))
    kept = invoke("connections", "remove", con)  # the runner answers nothing: abort
    assert f"Remove {con} (eu) with all its cases?" in kept.output
    assert kept.exit_code == 1
    assert json.loads(invoke("connections", "list", "--json").output)["items"]


def test_cases_list_prints_a_header_row(invoke, fake_plugins):
    con = connection_id(add(invoke))
    with_runtime(fake_plugins, lambda r: ingest_snapshot(r.database, r.plugins, con, snapshot()))
    lines = invoke("cases", "list").output.splitlines()
    assert lines[0].split() == ["case", "platform", "kind", "status", "category", "amount", "due"]
    assert lines[1].startswith("case_")
    assert lines[1].index("fake") == lines[0].index("platform")  # columns line up


def test_an_unexpected_error_is_one_line_without_a_traceback(invoke, monkeypatch):
    from disputeflow.cli import connections

    def broken(*args, **kwargs):
        raise ValueError("the store\nanswered nonsense")

    monkeypatch.setattr(connections.store, "list_rows", broken)
    result = invoke("connections", "list")
    assert result.exit_code == 1
    assert result.output == (
        "Error: ValueError: the store answered nonsense (run with -v to log the traceback)\n"
    )


def test_a_wrong_secret_key_still_lists_and_says_why(invoke, monkeypatch):
    from cryptography.fernet import Fernet

    con = connection_id(add(invoke))
    monkeypatch.setenv("DISPUTEFLOW_SECRET_KEY", Fernet.generate_key().decode())
    listed = invoke("connections", "list")
    assert listed.exit_code == 0, listed.output
    assert con in listed.output
    shown = invoke("connections", "show", con).output
    assert "next step: cannot decrypt connection secrets: DISPUTEFLOW_SECRET_KEY" in shown
