"""``disputeflow serve`` (web and worker thread in one process) killed with SIGKILL under
load, on SQLite and on PostgreSQL: every delivery it acknowledged is processed after the
restart, none twice, and the platform's retries of what it did not acknowledge are
stored once."""

from __future__ import annotations

import signal
import threading

import pytest

from disputeflow.engine.store.tables import DeliveryRow
from tests import load


@pytest.fixture
def fake_plugins(plugin_manager):
    from tests.fakes import slow_plugin

    plugin_manager.register(slow_plugin, name="fake_slow")
    return plugin_manager


def test_sigkill_under_load_loses_no_acknowledged_delivery(runtime):
    connection = load.add_connection(runtime)
    disputes = load.scaled(60)
    items = load.updates(disputes)
    home = runtime.settings.home
    # 20 ms a delivery: the worker thread falls behind the senders, so the kill finds
    # acknowledged deliveries waiting and one in the middle of its transaction.
    service = load.start_serve(runtime.settings.database_url, home, delay=0.02)
    sender = load.Sender(connection["id"], lambda: [service.url], threads=4)
    half = len(items) // 2
    killed = threading.Event()

    def kill_at_half():
        load.wait_until(lambda: len(sender.answers) >= half, 120, "half the load sent")
        service.process.send_signal(signal.SIGKILL)
        killed.set()

    killer = threading.Thread(target=kill_at_half)
    killer.start()
    try:
        sender.send(items)  # the second half mostly meets a dead server
    finally:
        killer.join(timeout=150)
        service.process.wait(timeout=30)
    assert killed.is_set()
    assert service.process.returncode == -signal.SIGKILL
    acknowledged_before = sender.acknowledged()
    assert acknowledged_before, "nothing was acknowledged before the kill"
    assert len(acknowledged_before) < len(items)  # some were refused by the dead server

    restarted = load.start_serve(runtime.settings.database_url, home, port=service.port)
    try:
        sender.resend_until_acknowledged(items)  # the platform retries what got no 2xx ...
        sender.send(items[: len(items) // 4])  # ... and re-sends some it had an answer for
        total = len(items)
        load.wait_until(
            lambda: load.count(runtime, DeliveryRow.status == "done") == total,
            240, "every delivery processed", [restarted],
        )  # fmt: skip
    finally:
        load.stop([restarted])
    assert acknowledged_before <= sender.acknowledged()
    load.assert_exactly_once(runtime, disputes, sender.acknowledged())
    assert "Traceback" not in restarted.output()
