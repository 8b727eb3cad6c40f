"""The intake keeps each connection it resolved (secrets decrypted once) and checks, in the
transaction that stores a delivery, that the connection is still the stored one: a changed
secret takes effect at the next delivery, in this process and from any other."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow
from disputeflow.engine.wakeup import Listener, announce
from tests.webhooks.conftest import dispute, signed

NEW_SECRET = "whsec-rotated"


def post(client, connection, secret):
    body, headers = signed(dispute(), secret=secret)
    return client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)


def stored(runtime):
    with runtime.database.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(DeliveryRow))


def test_a_changed_secret_applies_at_the_next_delivery(client, runtime, connection):
    assert post(client, connection, "whsec-test").status_code == 200
    cached = runtime.connections.peek(connection["id"])
    assert cached is not None
    assert cached[1].settings["signing_secret"] == "whsec-test"
    runtime.change_connection_settings(connection["id"], {"signing_secret": NEW_SECRET})
    assert post(client, connection, "whsec-test").status_code == 401  # the old one refused
    assert post(client, connection, NEW_SECRET).status_code == 200
    assert stored(runtime) == 2


def test_a_change_from_another_process_is_seen_in_the_storing_transaction(
    client, runtime, connection
):
    assert post(client, connection, "whsec-test").status_code == 200
    # another process changes the secret: only the stored row changes, not this cache
    with runtime.database.session() as session:
        row = session.get(ConnectionRow, connection["id"])
        assert runtime.secrets.decrypt(row.secrets) == {"signing_secret": "whsec-test"}
        row.secrets = runtime.secrets.encrypt({"signing_secret": NEW_SECRET})
        row.updated_at = row.updated_at.replace(year=2030)
    assert post(client, connection, "whsec-test").status_code == 401
    assert post(client, connection, NEW_SECRET).status_code == 200


def test_a_removed_connection_is_not_found_though_cached(client, runtime, connection):
    assert post(client, connection, "whsec-test").status_code == 200
    with runtime.database.session() as session:
        session.delete(session.get(ConnectionRow, connection["id"]))
    response = post(client, connection, "whsec-test")
    assert response.status_code == 404
    assert runtime.connections.peek(connection["id"]) is None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_stored_delivery_wakes_a_listening_worker_on_postgresql(runtime):
    wake = threading.Event()
    listener = Listener(runtime.settings.database_url, wake)
    assert listener.start()
    try:
        assert wake.wait(10)  # set once it listens: anything stored meanwhile is looked for
        wake.clear()
        with runtime.database.session() as session:
            announce(session)
            assert not wake.wait(0.3)  # not before the commit
        assert wake.wait(10)
    finally:
        listener.stop()
