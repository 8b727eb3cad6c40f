"""Sessions end on the server; failed authentications are limited per client (issue 16).

* signing out ends the session server-side: the cookie copied before sign-out is refused;
* admins list the workspace's sessions and end any of them (API and CLI);
* the last admin token cannot be revoked;
* failed sign-ins and failed API authentications are limited per client, the client being
  the socket's peer unless ``DISPUTEFLOW_TRUSTED_PROXIES`` says how many proxies to trust
  (then Werkzeug's ProxyFix reads ``X-Forwarded-For``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner

from disputeflow.cli import cli
from disputeflow.core.taxonomy import Role
from disputeflow.engine.store import tokens
from disputeflow.webhooks import auth_limits
from disputeflow.webhooks.app import create_app
from tests.webhooks.web.conftest import csrf_of, sign_in


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


def _token(runtime, role, name=None):
    with runtime.database.session() as session:
        return tokens.create(session, name=name or f"{role}-person", role=Role(role))


def _cookie(client):
    cookie = client.get_cookie("disputeflow_session")
    assert cookie is not None
    return cookie.value


def test_a_cookie_replayed_after_sign_out_is_refused(app, runtime):
    browser = app.test_client()
    assert sign_in(browser, _token(runtime, "agent").token).status_code == 302
    assert browser.get("/workspace/").status_code == 200
    copied = _cookie(browser)
    page = browser.get("/workspace/").text
    out = browser.post("/workspace/sign-out", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 302
    thief = app.test_client()
    thief.set_cookie("disputeflow_session", copied)
    replayed = thief.get("/workspace/")
    assert replayed.status_code == 302
    assert "/workspace/sign-in" in replayed.headers["Location"]


def test_admins_list_and_end_sessions(app, runtime):
    admin = {"Authorization": f"Bearer {_token(runtime, 'admin').token}"}
    browser = app.test_client()
    agent = _token(runtime, "agent", "ana")
    sign_in(browser, agent.token)
    api = app.test_client()
    listed = api.get("/api/v1/sessions", headers=admin).get_json()["items"]
    assert [(s["token_id"], s["token_name"]) for s in listed] == [(agent.id, "ana")]
    assert "token" not in listed[0]
    assert listed[0]["id"].startswith("ses_")
    agent_bearer = {"Authorization": f"Bearer {agent.token}"}
    assert api.get("/api/v1/sessions", headers=agent_bearer).status_code == 403
    assert api.delete(f"/api/v1/sessions/{listed[0]['id']}", headers=admin).status_code == 204
    assert browser.get("/workspace/").status_code == 302  # signed out at once
    assert api.get("/api/v1/sessions", headers=admin).get_json()["items"] == []
    assert api.delete("/api/v1/sessions/ses_unknown", headers=admin).status_code == 404


def test_sessions_from_the_cli(app, runtime, fake_plugins):
    sign_in(app.test_client(), _token(runtime, "viewer").token)
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    listed = CliRunner().invoke(cli, [*base, "sessions", "list"], obj=fake_plugins)
    assert listed.exit_code == 0, listed.output
    session_id = listed.output.split()[0]
    ended = CliRunner().invoke(cli, [*base, "sessions", "revoke", session_id], obj=fake_plugins)
    assert ended.exit_code == 0, ended.output
    again = CliRunner().invoke(cli, [*base, "sessions", "list"], obj=fake_plugins)
    assert session_id not in again.output


def test_the_last_admin_token_cannot_be_revoked(app, runtime):
    first = _token(runtime, "admin", "first")
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {first.token}"}
    refused = api.delete(f"/api/v1/tokens/{first.id}", headers=bearer)
    assert refused.status_code == 409
    assert "last admin token" in refused.get_json()["message"]
    second = _token(runtime, "admin", "second")
    assert api.delete(f"/api/v1/tokens/{first.id}", headers=bearer).status_code == 204
    other = {"Authorization": f"Bearer {second.token}"}
    assert api.delete(f"/api/v1/tokens/{second.id}", headers=other).status_code == 409
    agent = _token(runtime, "agent")
    assert api.delete(f"/api/v1/tokens/{agent.id}", headers=other).status_code == 204


def test_failed_api_authentications_are_limited_per_client(app, runtime, monkeypatch):
    monkeypatch.setattr(auth_limits, "FAILURES", 3)
    good = {"Authorization": f"Bearer {_token(runtime, 'viewer').token}"}
    api = app.test_client()
    for _ in range(3):
        assert (
            api.get("/api/v1/cases", headers={"Authorization": "Bearer dft_wrong"}).status_code
            == 401
        )
    limited = api.get("/api/v1/cases", headers={"Authorization": "Bearer dft_wrong"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["code"] == "too_many_requests"
    # this client is not heard now, even with a real token ...
    assert api.get("/api/v1/cases", headers=good).status_code == 429
    # ... while another client is
    elsewhere = api.get("/api/v1/cases", headers=good, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert elsewhere.status_code == 200


def test_failed_sign_ins_are_limited_per_client(app, runtime, monkeypatch):
    monkeypatch.setattr(auth_limits, "FAILURES", 2)
    browser = app.test_client()
    assert sign_in(browser, "dft_guess1").status_code == 401
    assert sign_in(browser, "dft_guess2").status_code == 401
    limited = sign_in(browser, _token(runtime, "admin").token)
    assert limited.status_code == 429
    assert "Too many failed sign-ins" in limited.text


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app, runtime, monkeypatch):
    monkeypatch.setattr(auth_limits, "FAILURES", 2)
    api = app.test_client()
    for n in range(3):  # a new forged address each time changes nothing
        answer = api.get(
            "/api/v1/cases",
            headers={"Authorization": "Bearer dft_wrong", "X-Forwarded-For": f"203.0.113.{n}"},
        )
    assert answer.status_code == 429


def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(runtime, monkeypatch):
    monkeypatch.setattr(auth_limits, "FAILURES", 2)
    trusted = replace(runtime, settings=replace(runtime.settings, trusted_proxies=1))
    api = create_app(trusted, {"TESTING": True}).test_client()
    wrong = {"Authorization": "Bearer dft_wrong"}
    for _ in range(2):
        api.get("/api/v1/cases", headers={**wrong, "X-Forwarded-For": "198.51.100.7"})
    assert (
        api.get("/api/v1/cases", headers={**wrong, "X-Forwarded-For": "198.51.100.7"}).status_code
        == 429
    )
    other = api.get("/api/v1/cases", headers={**wrong, "X-Forwarded-For": "198.51.100.8"})
    assert other.status_code == 401  # another client behind the same proxy
    # only the last (trusted) hop counts: a client cannot prepend its way out
    spoofed = api.get(
        "/api/v1/cases", headers={**wrong, "X-Forwarded-For": "1.2.3.4, 198.51.100.7"}
    )
    assert spoofed.status_code == 429


def test_a_session_unused_for_its_lifetime_ends(app, runtime):
    from datetime import timedelta

    from sqlalchemy import update

    from disputeflow.core.clock import utcnow
    from disputeflow.engine.store import sessions

    browser = app.test_client()
    sign_in(browser, _token(runtime, "viewer").token)
    assert browser.get("/workspace/").status_code == 200
    idle = utcnow() - sessions.LIFETIME - timedelta(minutes=1)
    with runtime.database.session() as db:
        db.execute(update(sessions.WorkspaceSessionRow).values(last_seen_at=idle))
    assert browser.get("/workspace/").status_code == 302
