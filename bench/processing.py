"""Processing throughput: deliveries translated and merged per second.

* in process, one worker (``process_deliveries`` in a loop), on SQLite and PostgreSQL;
* ``disputeflow worker`` processes, 1, 2 and 4 of them, on PostgreSQL (SKIP LOCKED).

Each run gets a fresh store with ``--disputes`` disputes of three updates each (needs a
response, under review, won), stored as deliveries in a shuffled order, so a third of the
merges arrive late and refold. Worker processes load the fake marketplace through an entry
point (tests/data/worker_site), start, and wait; the deliveries are then committed in one
transaction and the clock runs until the last one is done.

    .venv/bin/python -m bench.processing [--disputes 700] [--workers 1,2,4]
        [--database sqlite|postgresql|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench import support
from disputeflow.core.clock import utcnow
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.ids import new_id
from disputeflow.engine.processing import process_deliveries
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import DeliveryRow
from tests.fakes import plugin as fake_plugin

STATUSES = ("needs_response", "under_review", "won")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _runtime(url: str, home: Path) -> tuple[Runtime, str]:
    plugins = get_plugin_manager(load_entrypoints=False)
    plugins.register(fake_plugin, name="fake")
    settings = Settings(home=home, database_url=url, public_url="", secret_key=None)
    runtime = Runtime.create(settings, plugins=plugins)
    runtime.upgrade()
    connection = runtime.add_connection("fake", "bench", {"signing_secret": "s", "shop": "b"})
    return runtime, str(connection["id"])


def _rows(connection_id: str, disputes: int) -> list[dict[str, object]]:
    items = [(n, step) for n in range(disputes) for step in range(len(STATUSES))]
    random.Random(7).shuffle(items)
    now = utcnow()
    rows = []
    for n, step in items:
        payload = {
            "id": f"d{n}", "type": "dispute", "status": STATUSES[step], "reason": "fraudulent",
            "amount": "10.00", "currency": "EUR", "opened_at": T0.isoformat(),
            "updated_at": (T0 + timedelta(hours=step)).isoformat(),
        }  # fmt: skip
        rows.append({
            "id": new_id("dlv"), "connection_id": connection_id, "platform": "fake",
            "dedup_key": f"{n}-{step}", "topic": "disputes/update", "headers": {},
            "body": json.dumps(payload).encode(), "received_at": now, "status": "pending",
            "attempts": 0, "next_attempt_at": now,
        })  # fmt: skip
    return rows


def _enqueue(runtime: Runtime, connection_id: str, disputes: int) -> int:
    rows = _rows(connection_id, disputes)
    with runtime.database.session() as session:
        session.execute(insert(DeliveryRow), rows)
    return len(rows)


def _done(runtime: Runtime) -> int:
    with runtime.database.session(readonly=True) as session:
        query = select(func.count()).where(DeliveryRow.status == "done")
        return int(session.scalar(query) or 0)


def in_process(url: str, home: Path, disputes: int) -> float:
    runtime, connection_id = _runtime(url, home)
    try:
        total = _enqueue(runtime, connection_id, disputes)
        started = time.perf_counter()
        while process_deliveries(runtime, limit=50).processed:
            pass
        elapsed = time.perf_counter() - started
        assert _done(runtime) == total
        return total / elapsed
    finally:
        runtime.close()


def _start_workers(url: str, home: Path, count: int) -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "disputeflow", "worker", "--batch-size", "50",
               "--poll-interval", "0.05"]  # fmt: skip
    env = support.worker_env(url, home)
    logs = [home / f"worker-{n}.log" for n in range(count)]
    workers = []
    for log in logs:
        with log.open("wb") as stderr:
            workers.append(
                subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
            )
    deadline = time.monotonic() + 60
    while not all("worker running" in log.read_text() for log in logs):  # said once it runs
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise SystemExit("a worker did not start: " + " ".join(x.read_text() for x in logs))
        time.sleep(0.05)
    return workers


def with_workers(url: str, home: Path, disputes: int, count: int) -> float:
    runtime, connection_id = _runtime(url, home)
    workers = _start_workers(url, home, count)
    try:
        time.sleep(0.5)  # every worker has found the queue empty and is polling
        total = _enqueue(runtime, connection_id, disputes)
        started = time.perf_counter()
        while _done(runtime) < total:
            if any(worker.poll() is not None for worker in workers):
                raise SystemExit("a worker died")
            time.sleep(0.05)
        return total / (time.perf_counter() - started)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=700, help="x3 deliveries per run")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts (PostgreSQL)")
    support.add_database_arguments(parser)
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    total = args.disputes * len(STATUSES)
    print(f"\n== processing {total} deliveries ({args.disputes} disputes x 3 updates) ==")
    for dialect in support.databases(args):
        with (
            support.temporary_home() as home,
            support.database_url(dialect, args.postgres_url, home) as url,
        ):
            rate = in_process(url, home, args.disputes)
        print(f"{dialect:10} in process, 1 worker      {rate:7.0f} deliveries/s")
    if "postgresql" in support.databases(args):
        rates: dict[int, float] = {}
        for count in (int(n) for n in args.workers.split(",")):
            with (
                support.temporary_home() as home,
                support.database_url("postgresql", args.postgres_url, home) as url,
            ):
                rate = rates[count] = with_workers(url, home, args.disputes, count)
            print(f"postgresql {count} worker process(es)    {rate:7.0f} deliveries/s"
                  f"  ({rate / count:5.0f} per worker)"
                  f"   load avg {support.load_average()}")  # fmt: skip
        if 1 in rates:
            ratios = ", ".join(f"{n}: {rate / rates[1]:.2f}x" for n, rate in rates.items() if n > 1)
            print(f"postgresql workers against one       {ratios}   (goal: 2 >= 1.6x)")
    print(f"load avg after: {support.load_average()}")


if __name__ == "__main__":
    main()
