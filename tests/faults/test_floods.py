"""Floods of duplicate and out-of-order deliveries through the real server while two
workers process them: the final cases are exactly the newest versions, each step once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, CaseSnapshotRow, DeliveryRow
from disputeflow.engine.worker import Worker, WorkerOptions
from disputeflow.webhooks.app import create_app
from tests import load


@pytest.fixture
def server(runtime):
    with load.serve_in_thread(create_app(runtime), threads=8) as url:
        yield url


@pytest.fixture
def workers(runtime):
    loops = [Worker(runtime, WorkerOptions(batch_size=5, poll_interval=0.05)) for _ in range(2)]
    threads = [loop.start_thread() for loop in loops]
    yield loops
    for loop in loops:
        loop.stop()
    for thread in threads:
        thread.join(timeout=30)


def test_duplicate_and_out_of_order_floods_end_in_the_newest_state(runtime, server, workers):
    connection = load.add_connection(runtime)
    disputes = load.scaled(40)
    versions = load.updates(disputes, seed=5)
    # Each version three times: the same delivery twice (a platform retry) and once more
    # under a new delivery id (the platform sending the same object version again).
    flood = [(u, u.delivery_id) for u in versions] * 2 + [(u, f"again-{u.delivery_id}")
                                                           for u in versions]  # fmt: skip
    random.Random(9).shuffle(flood)
    sender = load.Sender(connection["id"], lambda: [server], threads=8)
    codes = []

    def one(n):
        update, delivery_id = flood[n]
        codes.append(sender.post(n, update, delivery_id))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(len(flood))))
    assert codes == [200] * len(flood)  # duplicates are 2xx no-ops
    total = len(versions) * 2
    load.wait_until(
        lambda: load.count(runtime, DeliveryRow.status == "done") == total, 120,
        "the flood processed",
    )  # fmt: skip

    assert load.count(runtime) == total  # each delivery id stored once
    with runtime.database.session(readonly=True) as session:
        rows = session.scalars(select(CaseRow)).all()
        assert len(rows) == disputes
        for row in rows:
            case = cases.load(session, row)
            assert (case.status, case.outcome, case.platform_status) == (
                "resolved", "merchant_favor", "won",
            )  # fmt: skip
            derived = [str(e.kind) for e in case.timeline if e.derived]
            assert derived == ["opened", "status_changed", "resolved"], case.id
    snapshots = load.count(runtime, table=CaseSnapshotRow)
    assert snapshots == len(versions)  # a version sent again under a new id adds nothing
