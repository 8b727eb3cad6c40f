"""Signing in and out, the session cookie, forgery protection and roles (Flask test client)."""

from __future__ import annotations

from datetime import timedelta

from disputeflow.engine.store import tokens
from disputeflow.webhooks.app import create_app
from disputeflow.webhooks.web import SESSION_PURPOSE
from tests.webhooks.web.conftest import csrf_of, sign_in


def test_pages_need_a_session(client):
    for path in ("/workspace/", "/workspace/analytics", "/workspace/ratios", "/workspace/cases/x"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/workspace/sign-in?next=")
    assert client.get("/").headers["Location"] == "/workspace/"


def test_sign_in_sets_a_safe_cookie_and_signs_out(client, make_token):
    page = client.get("/workspace/sign-in?next=/workspace/analytics")
    assert page.status_code == 200
    assert '<label for="token">API token</label>' in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    response = client.post(
        "/workspace/sign-in",
        data={
            "token": make_token("viewer"),
            "csrf_token": csrf_of(page.text),
            "next": "/workspace/analytics",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace/analytics"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("disputeflow_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie, "the public URL is plain http here"
    assert "dft_" not in cookie, "the token itself never goes into the cookie"
    inbox = client.get("/workspace/")
    assert inbox.status_code == 200
    assert "viewer-person (viewer)" in inbox.text
    signed_out = client.post("/workspace/sign-out", data={"csrf_token": csrf_of(inbox.text)})
    assert signed_out.status_code == 302
    assert client.get("/workspace/").status_code == 302


def test_secure_cookie_behind_https(runtime, make_token):
    from dataclasses import replace

    runtime.settings = replace(runtime.settings, public_url="https://disputes.example.com")
    client = create_app(runtime, {"TESTING": True}).test_client()
    response = sign_in(client, make_token("agent"))
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_key_is_derived_from_the_installation_key(app, runtime):
    assert app.config["SECRET_KEY"] == runtime.secrets.derive_key(SESSION_PURPOSE)
    assert len(app.config["SECRET_KEY"]) == 32
    assert runtime.secrets.derive_key("other") != app.config["SECRET_KEY"]
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


def test_a_wrong_token_is_refused(client):
    response = sign_in(client, "dft_not-a-token")
    assert response.status_code == 401
    assert "That token is unknown or revoked." in response.text
    assert 'aria-invalid="true"' in response.text
    empty = sign_in(client, "  ")
    assert "Paste your API token." in empty.text


def test_forms_without_the_session_token_are_refused(client, make_token):
    response = client.post("/workspace/sign-in", data={"token": make_token("admin")})
    assert response.status_code == 400
    assert "did not come from this workspace" in response.text
    client.get("/workspace/sign-in")  # a session with a form token exists now
    forged = client.post(
        "/workspace/sign-in", data={"token": make_token("admin"), "csrf_token": "guessed"}
    )
    assert forged.status_code == 400
    assert client.get("/workspace/").status_code == 302, "not signed in"


def test_revoking_the_token_signs_the_browser_out(runtime, as_role):
    client = as_role("agent")
    assert client.get("/workspace/").status_code == 200
    with runtime.database.session() as session:
        for row in tokens.list_rows(session):
            tokens.revoke(session, row.id)
    assert client.get("/workspace/").status_code == 302


def test_next_never_leaves_the_site(client, make_token):
    page = client.get("/workspace/sign-in")
    response = client.post(
        "/workspace/sign-in",
        data={
            "token": make_token("viewer"),
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example/phish",
        },
    )
    assert response.headers["Location"] == "/workspace/"
