"""``/api/v1/connections``: admin only; secret settings go in and never come out."""

from __future__ import annotations

import pytest

SECRET = "whsec-never-echoed"


def create(client, headers, **body):
    body.setdefault("platform", "fake")
    body.setdefault("name", "de")
    body.setdefault("settings", {"signing_secret": SECRET, "shop": "de-shop"})
    return client.post("/api/v1/connections", headers=headers, json=body)


def assert_422(response, errors):
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert (body["code"], body["status"]) == ("invalid_input", 422)
    assert body["errors"] == errors
    assert SECRET not in response.get_data(as_text=True)


def test_create_answers_201_without_the_secret(client, admin):
    response = create(client, admin)
    assert response.status_code == 201
    connection = response.get_json()
    assert connection["platform"] == "fake"
    assert connection["name"] == "de"
    assert connection["settings"] == {"shop": "de-shop"}
    assert connection["secrets"] == ["signing_secret"]
    assert connection["webhook_url"] == f"http://127.0.0.1:8000/webhooks/fake/{connection['id']}"
    assert response.headers["Location"].endswith(f"/api/v1/connections/{connection['id']}")
    assert SECRET not in response.get_data(as_text=True)


def test_the_secret_is_stored_and_used_but_never_listed_or_shown(client, admin, runtime):
    connection = create(client, admin).get_json()
    listed = client.get("/api/v1/connections", headers=admin)
    shown = client.get(f"/api/v1/connections/{connection['id']}", headers=admin)
    by_name = client.get("/api/v1/connections/de", headers=admin)
    for response in (listed, shown, by_name):
        assert response.status_code == 200
        assert SECRET not in response.get_data(as_text=True)
    assert shown.get_json() == by_name.get_json() == connection
    assert listed.get_json() == {"items": [connection], "next_cursor": None}
    from disputeflow.engine.store.tables import ConnectionRow

    with runtime.database.session() as session:
        row = session.get(ConnectionRow, connection["id"])
        assert runtime.connection(row).settings["signing_secret"] == SECRET


def test_list_filters_by_platform(client, admin, connection):
    create(client, admin)
    listed = client.get("/api/v1/connections", headers=admin).get_json()
    assert [c["name"] for c in listed["items"]] == ["eu", "de"]
    fake = client.get("/api/v1/connections?platform=fake", headers=admin).get_json()
    assert len(fake["items"]) == 2
    none = client.get("/api/v1/connections?platform=ebay", headers=admin).get_json()
    assert none == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("given", "errors"),
    [
        ({"signing_secret": SECRET}, {"shop": ["Missing data for required field."]}),
        ({"signing_secret": SECRET, "shop": ""}, {"shop": ["Shorter than minimum length 1."]}),
        ({"signing_secret": SECRET, "shop": "x", "colour": "red"}, {"colour": ["Unknown field."]}),
    ],
    ids=["missing", "empty", "unknown"],
)
def test_invalid_settings_are_422_with_field_errors(client, admin, given, errors):
    assert_422(create(client, admin, settings=given), {"settings": errors})
    assert client.get("/api/v1/connections", headers=admin).get_json()["items"] == []


def test_a_duplicate_name_is_422(client, admin):
    assert create(client, admin).status_code == 201
    assert_422(create(client, admin), {"name": ["already exists"]})


@pytest.mark.parametrize(
    ("body", "field"),
    [({"platform": "ebay"}, "platform"), ({"name": ""}, "name"), ({"settings": []}, "settings")],
)
def test_bad_platform_name_or_settings_shape_is_422(client, admin, body, field):
    response = create(client, admin, **body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_delete_is_204_then_404(client, admin, runtime):
    connection = create(client, admin).get_json()
    path = f"/api/v1/connections/{connection['id']}"
    deleted = client.delete(path, headers=admin)
    assert deleted.status_code == 204
    assert deleted.get_data() == b""
    for response in (client.get(path, headers=admin), client.delete(path, headers=admin)):
        assert response.status_code == 404
        assert response.get_json()["code"] == "not_found"


def test_an_agent_cannot_manage_connections(client, agent, admin, connection):
    path = f"/api/v1/connections/{connection['id']}"
    for response in (
        create(client, agent),
        client.get("/api/v1/connections", headers=agent),
        client.get(path, headers=agent),
        client.delete(path, headers=agent),
    ):
        assert response.status_code == 403
        assert response.get_json()["code"] == "forbidden"
    assert client.get(path, headers=admin).status_code == 200
