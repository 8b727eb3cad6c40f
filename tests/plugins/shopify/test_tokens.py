"""Expiring offline tokens and the client-credentials grant: renewed before they expire
and after a 401, once across threads and processes, and a refused refresh marks the
connection ``needs_reauth`` without losing its queued actions.

The token answers are shaped as shopify.dev documents them ("Offline access tokens",
changelog "Offline access tokens now support expiry and refresh": ``access_token``,
``expires_in`` 3600, ``refresh_token``; "Using the client credentials grant":
``access_token``, ``scope``, ``expires_in``); the refused refresh as OAuth 2.0 (RFC 6749
section 5.2) answers it, ``{"error": "invalid_grant"}`` with HTTP 400.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import responses

from disputeflow.core.clock import parse_rfc3339, to_rfc3339, utcnow
from disputeflow.core.errors import ConnectionInactiveError, ReauthorizationRequired
from disputeflow.core.taxonomy import ActionType
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions as action_store
from disputeflow.engine.store import connections as store
from disputeflow.engine.sync import run_due_syncs, sync_connection
from disputeflow.plugins.shopify.tokens import TokenSource
from tests.plugins.shopify.conftest import API, GRAPHQL, SECRET, deliver, fixture
from tests.plugins.shopify.conftest import make_connection as _make

ROOT = Path(__file__).resolve().parents[3]
TOKEN_URL = f"{API}/admin/oauth/access_token"
SHOP_QUERY = "query ShopName { shop { name } }"


def expiring(runtime, *, minutes_left, name="acme-exp", **extra):
    expires = to_rfc3339(utcnow() + timedelta(minutes=minutes_left))
    return _make(
        runtime,
        name,
        client_id="app-client-id",
        access_token="shpat_old",
        refresh_token="shprt_one",
        access_token_expires_at=expires,
        **extra,
    )


def stored(runtime, connection_id):
    with runtime.database.session() as session:
        row = store.get_row(session, connection_id)
        return runtime.connection(row).settings, row.state


def live(runtime, connection_id):
    with runtime.database.session(readonly=True) as session:
        return runtime.connection(store.get_row(session, connection_id))


def renewed(api, token="shpat_new", refresh="shprt_two", expires_in=3600):  # noqa: S107
    api.post(
        TOKEN_URL,
        json={"access_token": token, "expires_in": expires_in, "refresh_token": refresh,
              "refresh_token_expires_in": 7776000, "scope": "read_orders"},
    )  # fmt: skip


def graphql_ok(api):
    api.post(GRAPHQL, json={"data": {"shop": {"name": "Acme"}}})


def test_a_token_about_to_expire_is_renewed_and_stored_before_it_is_used(runtime, market, api):
    connection = expiring(runtime, minutes_left=4)
    renewed(api)
    graphql_ok(api)
    before = utcnow()
    assert market.client(live(runtime, connection["id"])).graphql(SHOP_QUERY)["shop"]
    refresh, call = api.calls[0].request, api.calls[1].request
    assert json.loads(refresh.body) == {
        "client_id": "app-client-id",
        "client_secret": SECRET,
        "grant_type": "refresh_token",
        "refresh_token": "shprt_one",
    }
    assert call.headers["X-Shopify-Access-Token"] == "shpat_new"
    settings, _ = stored(runtime, connection["id"])
    assert (settings["access_token"], settings["refresh_token"]) == ("shpat_new", "shprt_two")
    left = parse_rfc3339(settings["access_token_expires_at"]) - before
    assert timedelta(minutes=59) < left <= timedelta(minutes=60, seconds=5)


def test_a_token_with_time_left_is_used_as_it_is(runtime, market, api):
    connection = expiring(runtime, minutes_left=30)
    graphql_ok(api)
    market.client(live(runtime, connection["id"])).graphql(SHOP_QUERY)
    assert [c.request.url for c in api.calls] == [GRAPHQL]
    assert api.calls[0].request.headers["X-Shopify-Access-Token"] == "shpat_old"


def test_a_401_renews_once_and_sends_the_call_again(runtime, market, api):
    connection = expiring(runtime, minutes_left=30)
    api.post(GRAPHQL, status=401, json={"errors": "[API] Invalid API key or access token"})
    renewed(api)
    graphql_ok(api)
    assert market.client(live(runtime, connection["id"])).graphql(SHOP_QUERY)["shop"]
    urls = [c.request.url for c in api.calls]
    assert urls == [GRAPHQL, TOKEN_URL, GRAPHQL]
    assert api.calls[2].request.headers["X-Shopify-Access-Token"] == "shpat_new"


def test_a_non_expiring_token_is_never_renewed(runtime, market, api, api_connection):
    api.post(GRAPHQL, status=401, json={"errors": "[API] Invalid API key or access token"})
    with pytest.raises(Exception, match="HTTP 401"):
        market.client(live(runtime, api_connection["id"])).graphql(SHOP_QUERY)
    assert [c.request.url for c in api.calls] == [GRAPHQL]


def test_two_threads_renew_once_and_both_use_the_new_token(runtime, api):
    connection = expiring(runtime, minutes_left=1)
    calls = []

    def token_endpoint(request):
        calls.append(request.body)
        time.sleep(0.3)  # both threads are inside by now
        body = {"access_token": f"shpat_new{len(calls)}", "expires_in": 3600,
                "refresh_token": "shprt_two"}  # fmt: skip
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    api.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint)
    sources = [TokenSource(live(runtime, connection["id"])) for _ in range(2)]
    barrier, used = threading.Barrier(2), []

    def run(source):
        barrier.wait()
        used.append(source.token())

    threads = [threading.Thread(target=run, args=(s,)) for s in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1
    assert used == ["shpat_new1", "shpat_new1"]


class FakeTokenEndpoint(BaseHTTPRequestHandler):
    """Shopify's token endpoint on 127.0.0.1, counting the refreshes it is asked for."""

    calls: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append(body)
        time.sleep(0.5)
        answer = json.dumps({"access_token": f"shpat_proc{len(self.calls)}", "expires_in": 3600,
                             "refresh_token": "shprt_two"}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_two_processes_renew_once_and_both_use_the_new_token(runtime):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTokenEndpoint)
    FakeTokenEndpoint.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    connection = expiring(runtime, minutes_left=1, api_base_url=base)
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "DISPUTEFLOW_DATABASE_URL": runtime.settings.database_url,
           "DISPUTEFLOW_HOME": str(runtime.settings.home)}  # fmt: skip
    script = str(ROOT / "tests/data/shopify_token.py")
    try:
        children = [
            subprocess.Popen(
                [sys.executable, script, connection["id"]],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        server.shutdown()
    assert [child.returncode for child in children] == [0, 0], outputs
    assert len(FakeTokenEndpoint.calls) == 1
    assert FakeTokenEndpoint.calls[0]["refresh_token"] == "shprt_one"
    assert [out.strip() for out, _ in outputs] == ["shpat_proc1", "shpat_proc1"]
    assert stored(runtime, connection["id"])[0]["refresh_token"] == "shprt_two"


def test_a_refused_refresh_marks_the_connection_and_keeps_its_actions(
    runtime, market, api, app_client
):
    connection = expiring(runtime, minutes_left=1)
    dispute = {**fixture("disputes_create"), "status": "needs_response"}
    deliver(app_client, runtime, connection, "disputes/create", dispute)
    refused = {"error": "invalid_grant", "error_description": "Token has been revoked."}
    api.post(TOKEN_URL, status=400, json=refused)
    with runtime.database.session() as session:
        from sqlalchemy import select

        from disputeflow.engine.store.tables import CaseRow

        case_id = session.scalar(select(CaseRow.id))
    wanted = ActionInput(ActionType.CONTEST, message="Delivered, signed for.")
    action, _ = request_action(runtime, case_id, wanted)
    report = process_actions(runtime)
    assert (report.failed, report.succeeded) == (0, 0)
    settings, state = stored(runtime, connection["id"])
    assert state == "needs_reauth"
    assert settings["refresh_token"] == "shprt_one"  # nothing lost
    with runtime.database.session() as session:
        row = action_store.get(session, action["id"])
        assert (row.status, row.attempts) == ("pending", 0)
        assert "install the app again" in row.last_error
    assert process_actions(runtime).handled == 0  # held while the connection waits
    assert run_due_syncs(runtime) == 0
    with pytest.raises(ConnectionInactiveError, match="needs_reauth"):
        sync_connection(runtime, connection["id"])
    assert len([c for c in api.calls if c.request.url == TOKEN_URL]) == 1


def test_invalid_grant_outside_the_worker_still_marks_the_connection(runtime, api):
    connection = expiring(runtime, minutes_left=1)
    api.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    with pytest.raises(ReauthorizationRequired):
        TokenSource(live(runtime, connection["id"])).token()
    assert stored(runtime, connection["id"])[1] == "needs_reauth"


def test_the_client_credentials_grant_fetches_and_renews_its_token(runtime, market, api):
    connection = _make(runtime, "acme-cc", grant="client_credentials", client_id="cc-id")
    api.post(TOKEN_URL, json={"access_token": "shpat_cc1", "scope": "read_orders",
                              "expires_in": 86399})  # fmt: skip
    graphql_ok(api)
    market.client(live(runtime, connection["id"])).graphql(SHOP_QUERY)
    assert json.loads(api.calls[0].request.body) == {
        "client_id": "cc-id",
        "client_secret": SECRET,
        "grant_type": "client_credentials",
    }
    assert api.calls[1].request.headers["X-Shopify-Access-Token"] == "shpat_cc1"
    settings, _ = stored(runtime, connection["id"])
    left = parse_rfc3339(settings["access_token_expires_at"]) - utcnow()
    assert timedelta(hours=23) < left < timedelta(hours=24)
    assert "refresh_token" not in settings


def test_client_credentials_without_a_client_id_is_refused(runtime):
    with pytest.raises(Exception, match="client_id"):
        _make(runtime, "acme-cc", grant="client_credentials")
