"""The commands that do work: ``worker --once``, ``sync``, and ``deliveries list|replay``."""

from __future__ import annotations

import io
import json

import pytest
import responses
from click.testing import CliRunner

from disputeflow import Capabilities, hookimpl
from disputeflow.cli import cli
from disputeflow.cli.sync import ProgressLine
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.sync import SyncReport
from disputeflow.webhooks.app import create_app
from tests.fakes.http_api import BASE_URL, FakePlatformAPI
from tests.fakes.marketplace import FakeMarketplace, encode, sign

SECRET, SHOP = "topsecret", "eu"


@pytest.fixture
def invoke(tmp_path, fake_plugins, monkeypatch, database_url):
    """Run ``disputeflow ARGS`` against a migrated store (SQLite or PostgreSQL)."""
    monkeypatch.setenv("DISPUTEFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPUTEFLOW_DATABASE_URL", database_url)
    monkeypatch.delenv("DISPUTEFLOW_SECRET_KEY", raising=False)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, list(args), obj=fake_plugins, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    return run


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakePlatformAPI(mock, page_size=3)


def add_connection(invoke, name="eu-shop"):
    result = invoke(
        "connections", "add", "fake", "--name", name, "--set", f"shop={SHOP}",
        "--set", f"signing_secret={SECRET}", "--set", f"api_base_url={BASE_URL}", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["id"]


@pytest.fixture
def post(tmp_path, fake_plugins, database_url):
    """POST a signed delivery through the HTTP app sharing the CLI's store."""
    settings = Settings.from_env(home=tmp_path / "home", database_url=database_url)
    runtime = Runtime.create(settings, plugins=fake_plugins)
    client = create_app(runtime, {"TESTING": True}).test_client()

    def send(connection_id, payload, delivery_id):
        body = encode(payload)
        headers = {
            "X-Fake-Signature": sign(body, SECRET),
            "X-Fake-Shop": SHOP,
            "X-Fake-Delivery-Id": delivery_id,
            "X-Fake-Topic": "disputes/update",
            "Content-Type": "application/json",
        }
        answer = client.post(f"/webhooks/fake/{connection_id}", data=body, headers=headers)
        assert answer.status_code < 300, answer.get_data(as_text=True)

    yield send
    runtime.close()


class BrokenClassifier:
    @hookimpl
    def disputeflow_classify_case(self, case, snapshot):
        raise RuntimeError("classifier crashed")


class PushOnly(FakeMarketplace):
    name = "pushonly"
    capabilities = Capabilities.build({"chargeback": ["accept"]}, webhooks=True, polling=False)


class PushOnlyPlugin:
    @hookimpl
    def disputeflow_register_marketplaces(self):
        return [PushOnly()]


# -- worker ---------------------------------------------------------------------------


def test_worker_once_processes_due_work(invoke, api, post):
    connection_id = add_connection(invoke)
    post(connection_id, api.put("d1"), "dlv-1")
    api.put("d2")

    result = invoke("worker", "--once")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "handled 2 item(s)"  # one delivery, one sync
    listed = json.loads(invoke("cases", "list", "--json").stdout)
    assert sorted(case["external_id"] for case in listed["items"]) == ["d1", "d2"]
    assert invoke("worker", "--once").stdout.strip() == "handled 0 item(s)"


# -- sync -----------------------------------------------------------------------------


def test_sync_prints_progress_and_a_summary(invoke, api):
    add_connection(invoke)
    for n in range(1, 6):
        api.put(f"d{n}")

    result = invoke("sync")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "eu-shop (fake): 2 page(s), created 5, updated 0, unchanged 1, failed 0"
    ]
    assert result.stderr.splitlines() == [  # not a terminal: one plain line per page
        "eu-shop: page 1, 3 seen (created 3, updated 0, unchanged 0, failed 0)",
        "eu-shop: page 2, 6 seen (created 5, updated 0, unchanged 1, failed 0)",
    ]
    assert "\r" not in result.stderr


def test_sync_json(invoke, api):
    connection_id = add_connection(invoke)
    for n in range(1, 6):
        api.put(f"d{n}")
    first = invoke("sync", "--json")
    again = invoke("sync", "--connection", "eu-shop", "--since", "", "--json")

    assert first.exit_code == again.exit_code == 0
    data = json.loads(first.stdout)
    assert data["next_cursor"] is None
    assert data["items"] == [
        {
            "connection_id": connection_id, "connection": "eu-shop", "platform": "fake",
            "pages": 2, "seen": 6, "created": 5, "updated": 0, "unchanged": 1, "failed": 0,
            "cursor": api.objects[("dispute", "d5")]["updated_at"], "error": None,
        }
    ]  # fmt: skip
    full = json.loads(again.stdout)["items"][0]
    assert (full["created"], full["unchanged"], full["pages"]) == (0, 6, 2)
    assert api.list_calls[2] == ""  # --since "" started from the beginning


def test_sync_exits_non_zero_when_an_object_fails(invoke, api, fake_plugins):
    add_connection(invoke)
    api.put("d1")
    api.put("d2", reason="general")  # a generic reason: the (broken) classifier is asked
    fake_plugins.register(BrokenClassifier(), name="broken-classifier")

    text = invoke("sync")
    data = invoke("sync", "--json")

    assert text.exit_code == 1
    assert "created 1, updated 0, unchanged 0, failed 1" in text.stdout
    assert "the next sync fetches them again" in text.stderr
    assert data.exit_code == 1
    assert json.loads(data.stdout)["items"][0]["failed"] == 1


def test_sync_reports_a_platform_error_and_exits_non_zero(invoke):
    add_connection(invoke)
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, f"{BASE_URL}/cases", status=503)
        result = invoke("sync", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["items"][0]["error"] == "fake API answered 503"


def test_sync_of_a_marketplace_without_polling_is_a_one_line_error(invoke, api, fake_plugins):
    fake_plugins.register(PushOnlyPlugin(), name="pushonly")
    add_connection(invoke)
    pushed = invoke(
        "connections", "add", "pushonly", "--name", "push",
        "--set", "shop=p", "--set", "signing_secret=x",
    )  # fmt: skip
    assert pushed.exit_code == 0, pushed.output

    refused = invoke("sync", "--connection", "push")
    everything = invoke("sync", "--json")

    assert refused.exit_code == 1
    assert refused.output.strip().count("\n") == 0
    assert "the pushonly marketplace does not support polling" in refused.output
    assert "Traceback" not in refused.output
    assert everything.exit_code == 0
    assert [item["connection"] for item in json.loads(everything.stdout)["items"]] == ["eu-shop"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sync", "--since", "x"), "--since needs --connection"),
        (("sync", "--connection", "nosuch"), "no connection 'nosuch'"),
    ],
)
def test_sync_argument_errors(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 1
    assert message in result.output


def test_sync_without_connections_says_so(invoke):
    result = invoke("sync")
    assert result.exit_code == 0
    assert "no connection of a marketplace that supports polling" in result.stderr
    assert json.loads(invoke("sync", "--json").stdout) == {"items": [], "next_cursor": None}


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_rewrites_one_line_on_a_terminal():
    stream = Terminal()
    progress = ProgressLine("eu", stream)
    progress(SyncReport("con_1", pages=1, created=100))
    progress(SyncReport("con_1", pages=2, created=1, unchanged=1))
    progress.finish()

    first = "eu: page 1, 100 seen (created 100, updated 0, unchanged 0, failed 0)"
    second = "eu: page 2, 2 seen (created 1, updated 0, unchanged 1, failed 0)"
    padding = " " * (len(first) - len(second))  # wipes the rest of the longer line
    assert padding
    assert stream.getvalue() == f"\r{first}\r{second}{padding}\n"


def test_progress_writes_plain_lines_elsewhere():
    stream = io.StringIO()
    progress = ProgressLine("eu", stream)
    progress(SyncReport("con_1", pages=1, failed=1))
    progress.finish()
    assert stream.getvalue() == "eu: page 1, 1 seen (created 0, updated 0, unchanged 0, failed 1)\n"


# -- deliveries -----------------------------------------------------------------------


def test_deliveries_list_failed_and_replay_failed(invoke, api, post):
    connection_id = add_connection(invoke)
    post(connection_id, api.put("d1"), "dlv-good")
    broken = {key: value for key, value in api.put("d2").items() if key != "amount"}
    post(connection_id, broken, "dlv-broken")
    assert invoke("worker", "--once").exit_code == 0

    listed = json.loads(invoke("deliveries", "list", "--failed", "--json").stdout)
    text = invoke("deliveries", "list", "--failed").stdout
    replayed = invoke("deliveries", "replay", "--failed")
    pending = json.loads(invoke("deliveries", "list", "--status", "pending", "--json").stdout)

    assert [item["dedup_key"] for item in listed["items"]] == ["dlv-broken"]
    failed = listed["items"][0]
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["last_error"].startswith("SnapshotError: malformed fake object")
    assert len(text.splitlines()) == 1
    assert "failed" in text
    assert "SnapshotError" in text
    assert replayed.stdout.strip() == "queued 1 delivery for processing"
    assert [(i["dedup_key"], i["attempts"]) for i in pending["items"]] == [("dlv-broken", 0)]
    assert invoke("deliveries", "list", "--failed").stdout.strip() == "no deliveries match"
