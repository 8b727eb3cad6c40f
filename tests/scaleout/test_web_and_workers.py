"""Scale-out as docs/deploy.md describes it: two ``disputeflow serve --no-worker`` web
processes behind a (round-robin) balancer and three ``disputeflow worker`` processes, all
on one PostgreSQL database, under load. Every delivery is stored once and processed once,
whichever web process took it and whichever worker claimed it."""

from __future__ import annotations

import pytest

from disputeflow.engine.store.tables import DeliveryRow
from tests import load


@pytest.fixture
def fake_plugins(plugin_manager):
    from tests.fakes import slow_plugin

    plugin_manager.register(slow_plugin, name="fake_slow")
    return plugin_manager


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_web_processes_and_three_workers_process_each_delivery_once(runtime):
    connection = load.add_connection(runtime)
    disputes = load.scaled(100)
    items = load.updates(disputes, seed=13)
    url, home = runtime.settings.database_url, runtime.settings.home
    web = [load.start_serve(url, home, worker=False, name=f"web{n}") for n in range(2)]
    workers = [load.start_worker(url, home, delay=0.002) for _ in range(3)]
    processes = [*web, *workers]
    try:
        sender = load.Sender(connection["id"], lambda: [w.url for w in web], threads=6)
        sender.send(items)
        # the platform re-sends a third of them, now to the other web process
        sender.send(items[: len(items) // 3][::-1])
        sender.resend_until_acknowledged(items)
        total = len(items)
        load.wait_until(
            lambda: load.count(runtime, DeliveryRow.status == "done") == total,
            240, "every delivery processed", processes,
        )  # fmt: skip
    finally:
        load.stop(processes)
    assert set(sender.acknowledged_by) == {w.url for w in web}  # both took a share
    assert min(sender.acknowledged_by.values()) >= len(items) // 3
    assert [w.returncode for w in workers] == [0, 0, 0]  # SIGTERM: a clean stop
    load.assert_exactly_once(runtime, disputes, sender.acknowledged())
    assert sender.acknowledged() == {u.delivery_id for u in items}
    served = [w.output() for w in web]
    assert all("Traceback" not in output for output in served), served
