"""One worker draining Shopify disputes, against the intake's rate, in the same run.

A ``disputeflow serve --no-worker`` process (the real app on waitress, the Shopify plugin
loaded from its entry point) takes ``--disputes`` Shopify ``disputes/create`` deliveries,
each signed as Shopify signs (HMAC-SHA256 of the body with the app's secret), from
``--clients`` threads as fast as it answers: the intake's rate. Then one
``disputeflow worker`` process drains them: its rate is the deliveries over the time from
its first processed delivery to its last (``processed_at``), so its start-up does not count.
The figure of the issue is the ratio, worker rate / intake rate (goal: at least 1.5).

The payload is Shopify's documented ``disputes/create`` example (shopify.dev, webhook
topics; the same as tests/plugins/shopify/fixtures/disputes_create.json) with a distinct
dispute and order id per delivery.

    .venv/bin/python -m bench.drain [--disputes 2000] [--clients 8]
        [--database sqlite|postgresql|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select

from bench import support
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import DeliveryRow
from disputeflow.plugins.shopify.webhooks import signed_request

SHOP = "bench-shop.myshopify.com"
SECRET = "shpss_bench_secret"
DUE = "2026-12-30T19:00:00-05:00"
FIXTURE = support.ROOT / "tests" / "plugins" / "shopify" / "fixtures" / "disputes_create.json"


def _env(url: str, home: Path) -> dict[str, str]:
    env = support.worker_env(url, home)
    env.pop("DISPUTEFLOW_LOAD_PLUGINS", None)  # the installed plugins, Shopify among them
    return env


def _store(url: str, home: Path) -> tuple[Runtime, str]:
    settings = Settings(home=home, database_url=url, public_url="http://127.0.0.1", secret_key=None)
    runtime = Runtime.create(settings, plugins=get_plugin_manager())
    runtime.upgrade()
    connection = runtime.add_connection("shopify", "bench", {"shop_domain": SHOP,
                                                              "client_secret": SECRET})  # fmt: skip
    return runtime, str(connection["id"])


def _request(n: int) -> tuple[bytes, dict[str, str]]:
    payload = {**json.loads(FIXTURE.read_text()), "id": 10**17 + n, "order_id": 10**16 + n,
               "status": "needs_response", "evidence_due_by": DUE}  # fmt: skip
    signed = signed_request(payload, secret=SECRET, shop=SHOP, topic="disputes/create",
                            webhook_id=f"bench-{n}")  # fmt: skip
    return signed.body, dict(signed.headers)


def intake(base: str, connection_id: str, numbers: range, clients: int) -> float:
    """Deliveries accepted per second, ``clients`` threads sending as fast as answered."""
    local = threading.local()
    url = f"{base}/webhooks/shopify/{connection_id}"
    prepared = {n: _request(n) for n in numbers}

    def send(n: int) -> int:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body, headers = prepared[n]
        return session.post(url, data=body, headers=headers, timeout=60).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        codes = list(pool.map(send, numbers))
    elapsed = time.perf_counter() - started
    if any(code != 200 for code in codes):
        raise SystemExit(f"the intake refused {sum(c != 200 for c in codes)} deliveries")
    return len(numbers) / elapsed


def drain(runtime: Runtime, url: str, home: Path, count: int) -> float:
    """One worker process's rate over the span of its processed deliveries."""
    command = [sys.executable, "-m", "disputeflow", "worker", "--batch-size", "50",
               "--poll-interval", "0.05"]  # fmt: skip
    worker = subprocess.Popen(command, env=_env(url, home), stdout=subprocess.DEVNULL,
                              stderr=(home / "worker.log").open("wb"))  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        while _count(runtime, "done") < count:
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker stopped: " + (home / "worker.log").read_text())
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    with runtime.database.session(readonly=True) as session:
        first, last = session.execute(
            select(func.min(DeliveryRow.processed_at), func.max(DeliveryRow.processed_at))
        ).one()
    return (count - 1) / max((last - first).total_seconds(), 1e-6)


def _count(runtime: Runtime, status: str) -> int:
    with runtime.database.session(readonly=True) as session:
        query = select(func.count()).where(DeliveryRow.status == status)
        return int(session.scalar(query) or 0)


def measure(dialect: str, args: argparse.Namespace) -> tuple[float, float]:
    """(intake rate, one worker's draining rate), in one run on a fresh store."""
    with (
        support.temporary_home() as home,
        support.database_url(dialect, args.postgres_url, home) as url,
    ):
        runtime, connection_id = _store(url, home)
        port = support.free_port()
        command = [sys.executable, "-m", "disputeflow", "serve", "--no-worker", "--port",
                   str(port), "--threads", "8"]  # fmt: skip
        server = subprocess.Popen(command, env=_env(url, home), stdout=subprocess.DEVNULL,
                                  stderr=(home / "serve.log").open("wb"))  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            support.wait_for_http(f"{base}/healthz", server)
            warm = min(200, args.disputes)
            intake(base, connection_id, range(args.disputes, args.disputes + warm), args.clients)
            rate_in = intake(base, connection_id, range(args.disputes), args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
        try:
            rate_out = drain(runtime, url, home, args.disputes + warm)
        finally:
            runtime.close()
        return rate_in, rate_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    support.add_database_arguments(parser, default="sqlite")
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    for dialect in support.databases(args):
        rate_in, rate_out = measure(dialect, args)
        print(f"\n== Shopify disputes on {dialect}: {args.disputes} deliveries, "
              f"{args.clients} clients ==")  # fmt: skip
        print(f"intake                  {rate_in:7.0f} deliveries/s")
        print(f"one worker draining     {rate_out:7.0f} deliveries/s")
        print(f"ratio worker/intake     {rate_out / rate_in:7.2f}   (goal >= 1.5)")
        print(f"load avg after: {support.load_average()}")


if __name__ == "__main__":
    main()
