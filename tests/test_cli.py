"""The command line, through click's runner, against a real store in a temporary home."""

from __future__ import annotations

import json

import pytest

from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.runtime import Runtime
from tests.builders import snapshot


def add_connection(invoke, name="eu-shop"):
    result = invoke(
        "connections", "add", "fake", "--name", name,
        "--set", "shop=eu", "--set", "signing_secret=topsecret", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_connections_add_prints_id_and_webhook_url(invoke):
    added = add_connection(invoke)
    assert added["id"].startswith("con_")
    assert added["webhook_url"] == f"http://127.0.0.1:8000/webhooks/fake/{added['id']}"
    assert added["settings"] == {"shop": "eu"}
    assert added["secrets"] == ["signing_secret"]
    assert "topsecret" not in json.dumps(added)


def test_connections_list_show_remove(invoke):
    added = add_connection(invoke)
    listed = json.loads(invoke("connections", "list", "--json").output)
    assert [c["id"] for c in listed["items"]] == [added["id"]]
    shown = invoke("connections", "show", "eu-shop")
    assert "signing_secret: ******** (encrypted)" in shown.output
    assert "topsecret" not in shown.output
    removed = invoke("connections", "remove", added["id"], "--yes")
    assert removed.exit_code == 0
    assert json.loads(invoke("connections", "list", "--json").output)["items"] == []


def test_invalid_settings_are_one_line_errors(invoke):
    result = invoke("connections", "add", "fake", "--name", "x", "--set", "shop=eu")
    assert result.exit_code == 1
    assert "signing_secret" in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("connections", "add", "nosuch", "--name", "x"), "no marketplace named 'nosuch'"),
        (("connections", "add", "fake", "--name", "x", "--set", "novalue"), "key=value"),
        (("connections", "show", "con_missing"), "no connection"),
        (("cases", "show", "case_missing"), "no case"),
        (("cases", "list", "--due-before", "tomorrow"), "RFC 3339"),
        (("tokens", "revoke", "tok_missing"), "no token"),
    ],
)
def test_errors_are_clear_and_non_zero(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_duplicate_connection_name_refused(invoke):
    add_connection(invoke)
    result = invoke("connections", "add", "fake", "--name", "eu-shop",
                    "--set", "shop=eu", "--set", "signing_secret=x")  # fmt: skip
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_tokens_create_prints_token_once(invoke):
    created = json.loads(
        invoke("tokens", "create", "--name", "ci", "--role", "viewer", "--json").output
    )
    assert created["token"].startswith("dft_")
    assert created["role"] == "viewer"
    listed = invoke("tokens", "list", "--json").output
    assert created["token"] not in listed
    assert json.loads(listed)["items"][0]["name"] == "ci"


def test_plugins_list_shows_marketplace_capabilities(invoke):
    data = json.loads(invoke("plugins", "list", "--json").output)
    fake = next(item for item in data["items"] if item["name"] == "fake")
    market = fake["marketplaces"][0]
    assert market["name"] == "fake"
    assert "accept" in market["capabilities"]["actions"]["chargeback"]
    assert "disputeflow_register_marketplaces" in fake["hooks"]
    assert data["errors"] == []


def test_cases_list_and_show(invoke, tmp_path, fake_plugins):
    added = add_connection(invoke)
    from disputeflow.engine.config import Settings

    runtime = Runtime.create(Settings.from_env(home=tmp_path / "home"), plugins=fake_plugins)
    result = ingest_snapshot(runtime.database, runtime.plugins, added["id"], snapshot())
    runtime.close()
    listed = json.loads(invoke("cases", "list", "--json", "--kind", "chargeback").output)
    assert [c["id"] for c in listed["items"]] == [result.case.id]
    assert listed["next_cursor"] is None
    shown = json.loads(invoke("cases", "show", result.case.id, "--json").output)
    assert shown["amount"] == {"value": "12.50", "currency": "EUR"}
    assert shown["allowed_actions"] == ["accept", "contest", "add_note"]
    assert shown["timeline"][0]["kind"] == "opened"
    text = invoke("cases", "show", result.case.id).output
    assert "status: needs_response" in text
    empty = json.loads(invoke("cases", "list", "--json", "--status", "resolved").output)
    assert empty["items"] == []


def test_db_upgrade_is_idempotent(invoke):
    first = invoke("db", "upgrade")
    again = invoke("db", "upgrade")
    current = json.loads(invoke("db", "current", "--json").output)
    assert first.exit_code == 0
    assert "already at revision" in again.output
    assert current["revision"] == current["head"]
