"""``PATCH /api/v1/connections/{id}``: fix a connection's settings and keep every case.

Before issue 21 the only way to rotate a secret or add a token was to delete the connection,
and with it every case. A merge patch (a value sets, null removes) is validated by the
marketplace as a whole; secret values go in and never come out.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from disputeflow.engine.store.tables import CaseRow
from tests.builders import snapshot
from tests.webhooks.conftest import SECRET, dispute, drain, signed

NEW_SECRET = "whsec-rotated-never-echoed"


def path(connection):
    return f"/api/v1/connections/{connection['id']}"


def cases_of(runtime, connection_id):
    with runtime.database.session() as session:
        return session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.connection_id == connection_id)
        )


def test_rotating_the_secret_keeps_every_case(client, admin, runtime, connection, add_case):
    add_case(snapshot(external_id="c1"))
    add_case(snapshot(external_id="c2"))
    assert cases_of(runtime, connection["id"]) == 2
    answer = client.patch(path(connection), headers=admin,
                          json={"settings": {"signing_secret": NEW_SECRET}})  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["id"] == connection["id"]
    assert body["secrets"] == ["signing_secret"]
    assert body["secrets_set"] == ["signing_secret"]
    assert NEW_SECRET not in answer.get_data(as_text=True)
    assert SECRET not in answer.get_data(as_text=True)
    assert cases_of(runtime, connection["id"]) == 2
    # the platform's deliveries are now checked with the new secret only
    url = f"/webhooks/fake/{connection['id']}"
    old_body, old_headers = signed(dispute("d9"))
    assert client.post(url, data=old_body, headers=old_headers).status_code == 401
    new_body, new_headers = signed(dispute("d9"), secret=NEW_SECRET)
    assert client.post(url, data=new_body, headers=new_headers).status_code == 200
    drain(runtime)
    assert cases_of(runtime, connection["id"]) == 3


def test_a_plain_setting_changes_and_shows(client, admin, connection):
    answer = client.patch(path(connection), headers=admin, json={"settings": {"shop": "de"}})
    assert answer.status_code == 200
    assert answer.get_json()["settings"] == {"shop": "de"}
    assert client.get(path(connection), headers=admin).get_json()["settings"] == {"shop": "de"}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"shop": None}, {"settings": {"shop": ["Missing data for required field."]}}),
        ({"colour": "red"}, {"settings": {"colour": ["Unknown field."]}}),
        ({"colour": None}, {"colour": ["unknown setting"]}),
        ({"shop": ""}, {"settings": {"shop": ["Shorter than minimum length 1."]}}),
    ],
    ids=["required-removed", "unknown-set", "unknown-removed", "invalid"],
)
def test_invalid_changes_are_422_and_change_nothing(client, admin, connection, changes, errors):
    answer = client.patch(path(connection), headers=admin, json={"settings": changes})
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"] == errors
    assert SECRET not in answer.get_data(as_text=True)
    assert client.get(path(connection), headers=admin).get_json()["settings"] == {"shop": "eu-shop"}


def test_the_body_must_name_settings(client, admin, connection):
    for body in ({}, {"settings": []}, {"settings": {}}, {"settings": {"shop": "x"}, "name": "y"}):
        answer = client.patch(path(connection), headers=admin, json=body)
        assert answer.status_code == 422, body


def test_only_an_admin_may_patch_and_an_unknown_id_is_404(client, admin, agent, connection):
    refused = client.patch(path(connection), headers=agent, json={"settings": {"shop": "x"}})
    assert refused.status_code == 403
    missing = client.patch("/api/v1/connections/con_nope", headers=admin,
                           json={"settings": {"shop": "x"}})  # fmt: skip
    assert missing.status_code == 404
