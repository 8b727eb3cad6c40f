"""Merge throughput: snapshots per second, in memory (core.merge) and through the store.

    .venv/bin/python -m bench.merge [--cases 500] [--updates 4]
        [--database sqlite|postgresql|both] [--postgres-url URL]

In memory: every case's snapshots are merged one by one (in order, then shuffled so a
third of them arrive late and refold). Through the store: ``ingest_snapshot`` per snapshot
(lock, load, merge, save, commit), as a worker does.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import support
from disputeflow import CaseSnapshot, Money
from disputeflow.core.merge import merge_snapshot
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.runtime import Runtime

STATUSES = ("needs_response", "under_review", "needs_response", "under_review", "resolved")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def snapshots(cases: int, updates: int) -> list[list[CaseSnapshot]]:
    return [
        [
            CaseSnapshot(
                platform="fake",
                object_type="dispute",
                external_id=str(n),
                kind="chargeback",
                observed_at=T0 + timedelta(hours=step),
                status=STATUSES[step % len(STATUSES)],
                outcome="merchant_favor" if STATUSES[step % len(STATUSES)] == "resolved" else None,
                category="fraud",
                amount=Money("25.00", "EUR"),
            )
            for step in range(updates)
        ]
        for n in range(cases)
    ]


def in_memory(per_case: list[list[CaseSnapshot]], shuffle: bool) -> float:
    rng = random.Random(1)
    started = time.perf_counter()
    count = 0
    for snaps in per_case:
        order = list(snaps)
        if shuffle:
            rng.shuffle(order)
        case, history = None, []
        for snap in order:
            case = merge_snapshot(case, snap, history, case_id="c", connection_id="x").case
            history.append(snap)
            count += 1
    return count / (time.perf_counter() - started)


def through_store(per_case: list[list[CaseSnapshot]], url: str, home: Path) -> tuple[str, float]:
    settings = Settings(home=home, database_url=url, public_url="", secret_key=None)
    runtime = Runtime.create(settings, plugins=get_plugin_manager(load_entrypoints=False))
    runtime.upgrade()
    from disputeflow.engine.store import connections

    with runtime.database.session() as session:
        connection_id = connections.create(
            session, runtime.secrets, platform="fake", name=f"bench-{time.time_ns()}",
            settings={}, secret_fields=frozenset(),
        ).id  # fmt: skip
    flat = [snap for snaps in per_case for snap in snaps]
    started = time.perf_counter()
    for snap in flat:
        ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap)
    rate = len(flat) / (time.perf_counter() - started)
    runtime.close()
    return runtime.database.dialect, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--updates", type=int, default=4)
    support.add_database_arguments(parser)
    args = parser.parse_args()
    per_case = snapshots(args.cases, args.updates)
    print(f"snapshots           {args.cases} cases x {args.updates} updates")
    print(f"in memory, in order {in_memory(per_case, False):9.0f} snapshots/s")
    print(f"in memory, shuffled {in_memory(per_case, True):9.0f} snapshots/s")
    for dialect in support.databases(args):
        with (
            support.temporary_home() as home,
            support.database_url(dialect, args.postgres_url, home) as url,
        ):
            _, rate = through_store(per_case, url, home)
        print(f"through the store   {rate:9.0f} snapshots/s ({dialect})")


if __name__ == "__main__":
    main()
