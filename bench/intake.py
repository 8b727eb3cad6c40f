"""Webhook intake through the real WSGI server (waitress), beside a bare HMAC endpoint.

One server process (bench/intake_server.py) serves the real app and ``/bare``, an endpoint
that only checks the same HMAC and stores nothing. The load comes from another process
(this one), over keep-alive connections on 127.0.0.1:

* fixed rate, open loop: ``--rate`` requests a second for ``--seconds``, each sent at its
  scheduled time whatever the earlier ones are doing; latency is measured from the
  scheduled time to the answer (so a stalled server cannot hide its queue), p50 and p99;
* maximum throughput, closed loop: ``--requests`` requests from ``--clients`` threads.

The intake path is the production one: connection lookup, secret decryption, signature and
shop check, ``INSERT ... ON CONFLICT DO NOTHING``, COMMIT, 200. Nothing processes the
deliveries meanwhile (that is bench/processing.py). Runs on SQLite and, when a URL is
known, PostgreSQL (a schema of its own, dropped at the end).

    .venv/bin/python -m bench.intake [--rate 200] [--seconds 10] [--requests 2000]
        [--clients 8] [--threads 8] [--database sqlite|postgresql|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import support
from bench.intake_server import SECRET
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from tests.fakes import plugin as fake_plugin
from tests.fakes.marketplace import encode, sign

SHOP = "bench-shop"
OPEN_LOOP_THREADS = 64


@dataclass
class Run:
    """What one load phase measured."""

    name: str
    sent: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.sent / self.seconds

    def row(self) -> str:
        p50 = support.percentile(self.latencies, 0.50)
        p99 = support.percentile(self.latencies, 0.99)
        return (f"{self.name:34} {self.rate:8.0f}/s  p50 {support.ms(p50)}  p99 {support.ms(p99)}"
                f"  errors {self.errors}")  # fmt: skip


class Target:
    """One endpoint and the signed requests it gets (unique delivery ids per phase)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.local = threading.local()

    def send(self, n: int) -> int:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        body = encode({
            "id": f"{self.prefix}-{n}", "type": "dispute", "status": "needs_response",
            "reason": "fraudulent", "amount": "10.00", "currency": "EUR",
            "opened_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z",
        })  # fmt: skip
        headers = {"X-Fake-Signature": sign(body, SECRET), "X-Fake-Shop": SHOP,
                   "X-Fake-Delivery-Id": f"{self.prefix}-{n}", "X-Fake-Topic": "disputes/create",
                   "Content-Type": "application/json"}  # fmt: skip
        return session.post(self.url, data=body, headers=headers, timeout=60).status_code


def open_loop(name: str, send: Callable[[int], int], rate: float, seconds: float) -> Run:
    """Send request ``i`` at ``start + i / rate``; latency counts from that moment."""
    count = int(rate * seconds)
    latencies: list[float] = [0.0] * count
    codes: list[int] = [0] * count
    start = time.perf_counter() + 0.05

    def one(n: int, due: float) -> None:
        try:
            codes[n] = send(n)
        except requests.RequestException:
            codes[n] = -1
        latencies[n] = time.perf_counter() - due

    with ThreadPoolExecutor(max_workers=OPEN_LOOP_THREADS) as pool:
        for n in range(count):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, n, due)
    elapsed = time.perf_counter() - start
    return Run(name, count, elapsed, latencies, sum(code != 200 for code in codes))


def closed_loop(name: str, send: Callable[[int], int], count: int, clients: int) -> Run:
    """``count`` requests as fast as ``clients`` threads can send them."""
    latencies: list[float] = [0.0] * count

    def one(n: int) -> int:
        began = time.perf_counter()
        try:
            code = send(n)
        except requests.RequestException:
            code = -1
        latencies[n] = time.perf_counter() - began
        return code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        codes = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    return Run(name, count, elapsed, latencies, sum(code != 200 for code in codes))


def _store(url: str, home: Path) -> str:
    plugins = get_plugin_manager(load_entrypoints=False)
    plugins.register(fake_plugin, name="fake")
    settings = Settings(home=home, database_url=url, public_url="", secret_key=None)
    runtime = Runtime.create(settings, plugins=plugins)
    try:
        runtime.upgrade()
        settings_ = {"signing_secret": SECRET, "shop": SHOP}
        return str(runtime.add_connection("fake", "bench", settings_)["id"])
    finally:
        runtime.close()


def measure(dialect: str, args: argparse.Namespace) -> list[Run]:
    with (
        support.temporary_home() as home,
        support.database_url(dialect, args.postgres_url, home) as url,
    ):
        connection_id = _store(url, home)
        port = support.free_port()
        command = [sys.executable, "-m", "bench.intake_server", url, str(home), str(port),
                   str(args.threads)]  # fmt: skip
        server = subprocess.Popen(command, cwd=support.ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            support.wait_for_http(f"{base}/healthz", server)
            return _phases(base, connection_id, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _phases(base: str, connection_id: str, args: argparse.Namespace) -> list[Run]:
    intake_url = f"{base}/webhooks/fake/{connection_id}"

    def target(url: str, prefix: str) -> Callable[[int], int]:
        return Target(url, prefix).send

    closed_loop("warm-up", target(f"{base}/bare", "w0"), 200, args.clients)
    closed_loop("warm-up", target(intake_url, "w1"), 200, args.clients)
    rate = args.rate
    return [
        open_loop(f"bare HMAC, {rate:.0f}/s offered", target(f"{base}/bare", "b1"), rate,
                  args.seconds),
        open_loop(f"intake, {rate:.0f}/s offered", target(intake_url, "i1"), rate, args.seconds),
        closed_loop(f"bare HMAC, max ({args.clients} clients)", target(f"{base}/bare", "b2"),
                    args.requests, args.clients),
        closed_loop(f"intake, max ({args.clients} clients)", target(intake_url, "i2"),
                    args.requests, args.clients),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="offered deliveries/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="fixed-rate duration")
    parser.add_argument("--requests", type=int, default=2000, help="max-throughput requests")
    parser.add_argument("--clients", type=int, default=8, help="max-throughput client threads")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    support.add_database_arguments(parser)
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    for dialect in support.databases(args):
        runs = measure(dialect, args)
        bare_max, intake_max = runs[2], runs[3]
        print(f"\n== intake on {dialect} (waitress threads {args.threads}) ==")
        for run in runs:
            print(run.row())
        print(f"{'ratio intake/bare at max':34} {intake_max.rate / bare_max.rate:8.2f}")
        print(f"load avg after: {support.load_average()}")


if __name__ == "__main__":
    main()
