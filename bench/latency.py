"""From a 2xx at the intake to the case visible in the API: p50 and p99.

``disputeflow serve`` with its embedded worker on SQLite (the web process wakes it at each
new delivery); on PostgreSQL ``serve --no-worker`` beside one ``disputeflow worker``
process, woken by ``LISTEN/NOTIFY``. Deliveries of new disputes (the fake marketplace,
signed) arrive at ``--rate`` a second for ``--seconds``; one poller asks
``GET /api/v1/cases`` (newest first) every few milliseconds and, for each delivery, the
latency is the time from its 2xx to the first answer that lists its case. The poll
interval bounds the resolution (about 5 ms plus a request).

    .venv/bin/python -m bench.latency [--rate 20] [--seconds 10] [--poll-seconds 0.1]
        [--database sqlite|postgresql|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench import support
from bench.intake_server import SECRET
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.taxonomy import Role
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import tokens
from tests.fakes import plugin as fake_plugin
from tests.fakes.marketplace import encode, sign

SHOP = "bench-shop"
T0 = "2026-11-01T10:00:00Z"


def _store(url: str, home: Path) -> tuple[str, str]:
    """A migrated store with a fake connection and an API token: (connection id, token)."""
    plugins = get_plugin_manager(load_entrypoints=False)
    plugins.register(fake_plugin, name="fake")
    settings = Settings(home=home, database_url=url, public_url="", secret_key=None)
    runtime = Runtime.create(settings, plugins=plugins)
    try:
        runtime.upgrade()
        connection = runtime.add_connection(
            "fake", "bench", {"signing_secret": SECRET, "shop": SHOP}
        )
        with runtime.database.session() as session:
            token = tokens.create(session, name="bench", role=Role.VIEWER).token
        return str(connection["id"]), token
    finally:
        runtime.close()


def _processes(url: str, home: Path, dialect: str) -> list[subprocess.Popen[bytes]]:
    port = support.free_port()
    env = support.worker_env(url, home, DISPUTEFLOW_PORT=str(port))
    serve = [sys.executable, "-m", "disputeflow", "serve"]
    started = []
    if dialect == "postgresql":
        serve.append("--no-worker")
        worker = [sys.executable, "-m", "disputeflow", "worker", "--poll-interval", "1"]
        started.append(subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL,
                                        stderr=(home / "worker.log").open("wb")))  # fmt: skip
    started.insert(0, subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL,
                                       stderr=(home / "serve.log").open("wb")))  # fmt: skip
    started[0].port = port  # type: ignore[attr-defined]
    return started


class Poller(threading.Thread):
    """Lists the newest cases again and again; records when each awaited one shows."""

    def __init__(self, base: str, token: str, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.url = f"{base}/api/v1/cases?limit=50"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.interval = interval
        self.acked: dict[str, float] = {}
        self.latencies: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        while not self.done.is_set():
            try:
                answer = session.get(self.url, headers=self.headers, timeout=30)
            except requests.RequestException:
                continue  # the server going away at the end
            items = answer.json()["items"]
            seen = time.perf_counter()
            for item in items:
                key = item["external_id"]
                if key in self.acked and key not in self.latencies:
                    self.latencies[key] = seen - self.acked[key]
            time.sleep(self.interval)


def _send(base: str, connection_id: str, poller: Poller, n: int, local: threading.local) -> None:
    session = getattr(local, "session", None) or requests.Session()
    local.session = session
    key = f"lat-{n}"
    body = encode({"id": key, "type": "dispute", "status": "needs_response",
                   "reason": "fraudulent", "amount": "10.00", "currency": "EUR",
                   "opened_at": T0, "updated_at": T0})  # fmt: skip
    headers = {"X-Fake-Signature": sign(body, SECRET), "X-Fake-Shop": SHOP,
               "X-Fake-Delivery-Id": key, "X-Fake-Topic": "disputes/create",
               "Content-Type": "application/json"}  # fmt: skip
    answer = session.post(f"{base}/webhooks/fake/{connection_id}", data=body, headers=headers,
                          timeout=60)  # fmt: skip
    if answer.status_code == 200:
        poller.acked[key] = time.perf_counter()


def measure(dialect: str, args: argparse.Namespace) -> list[float]:
    with (
        support.temporary_home() as home,
        support.database_url(dialect, args.postgres_url, home) as url,
    ):
        connection_id, token = _store(url, home)
        processes = _processes(url, home, dialect)
        base = f"http://127.0.0.1:{processes[0].port}"  # type: ignore[attr-defined]
        try:
            support.wait_for_http(f"{base}/healthz", processes[0])
            time.sleep(1.0)  # the worker is up and idle
            poller = Poller(base, token)
            poller.start()
            count, local = int(args.rate * args.seconds), threading.local()
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                for n in range(count):
                    time.sleep(max(0.0, started + n / args.rate - time.perf_counter()))
                    pool.submit(_send, base, connection_id, poller, n, local)
            deadline = time.monotonic() + 30
            while len(poller.latencies) < len(poller.acked) and time.monotonic() < deadline:
                time.sleep(0.05)
            poller.done.set()
            missing = len(poller.acked) - len(poller.latencies)
            if missing or len(poller.acked) < count:
                raise SystemExit(
                    f"{missing} cases never showed, {count - len(poller.acked)} refused"
                )
            return list(poller.latencies.values())
        finally:
            if "poller" in locals():
                poller.done.set()
                poller.join(timeout=30)
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="deliveries a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    support.add_database_arguments(parser)
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    print(f"\n== 2xx at the intake -> case in GET /api/v1/cases, {args.rate:.0f}/s for "
          f"{args.seconds:.0f} s ==")  # fmt: skip
    for dialect in support.databases(args):
        latencies = measure(dialect, args)
        p50, p99 = support.percentile(latencies, 0.5), support.percentile(latencies, 0.99)
        print(
            f"{dialect:10} {len(latencies):5} cases   p50 {support.ms(p50)}   p99 {support.ms(p99)}"
        )
    print(f"load avg after: {support.load_average()}")


if __name__ == "__main__":
    main()
