"""``/api/v1/tokens``: admin only; a token is shown once; a revoked one stops at once."""

from __future__ import annotations

import pytest

from tests.webhooks.api.conftest import bearer


def create(client, headers, **body):
    return client.post("/api/v1/tokens", headers=headers, json=body)


def test_create_shows_the_token_once_and_it_works(client, admin):
    response = create(client, admin, name="helpdesk", role="viewer")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    issued = response.get_json()
    assert issued["token"].startswith("dft_")
    assert issued["token"].startswith(issued["prefix"])
    assert (issued["name"], issued["role"], issued["revoked_at"]) == ("helpdesk", "viewer", None)
    assert response.headers["Location"].endswith(f"/api/v1/tokens/{issued['id']}")
    assert client.get("/api/v1/cases", headers=bearer(issued["token"])).status_code == 200
    assert client.get("/api/v1/tokens", headers=bearer(issued["token"])).status_code == 403
    for path in ("/api/v1/tokens", f"/api/v1/tokens/{issued['id']}"):
        shown = client.get(path, headers=admin)
        assert shown.status_code == 200
        assert issued["token"] not in shown.get_data(as_text=True)
        assert "token_hash" not in shown.get_data(as_text=True)


def test_the_role_defaults_to_agent(client, admin):
    assert create(client, admin, name="bot").get_json()["role"] == "agent"


def test_list_has_every_token_oldest_first(client, admin):
    create(client, admin, name="second")
    listed = client.get("/api/v1/tokens", headers=admin).get_json()
    assert [t["name"] for t in listed["items"]] == ["admin-bot", "second"]
    assert listed["next_cursor"] is None
    assert listed["items"][0]["last_used_at"] is not None  # the admin-bot is calling


@pytest.mark.parametrize(
    ("body", "field"),
    [({"role": "viewer"}, "name"), ({"name": "x", "role": "root"}, "role"), ({"name": ""}, "name")],
)
def test_invalid_tokens_are_422(client, admin, body, field):
    response = create(client, admin, **body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_a_revoked_token_is_401_at_once(client, admin):
    issued = create(client, admin, name="leaked", role="agent").get_json()
    headers = bearer(issued["token"])
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{issued['id']}", headers=admin)
    assert revoked.status_code == 204
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"
    shown = client.get(f"/api/v1/tokens/{issued['id']}", headers=admin).get_json()
    assert shown["revoked_at"] is not None


def test_unknown_token_is_404(client, admin):
    for response in (
        client.get("/api/v1/tokens/tok_missing", headers=admin),
        client.delete("/api/v1/tokens/tok_missing", headers=admin),
    ):
        assert response.status_code == 404
        assert response.get_json()["code"] == "not_found"


def test_an_agent_cannot_manage_tokens(client, agent):
    assert create(client, agent, name="escalate", role="admin").status_code == 403
    assert client.get("/api/v1/tokens", headers=agent).status_code == 403
