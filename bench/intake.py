"""Webhook intake throughput through the real WSGI server (waitress).

Posts N signed deliveries (unique ids) to ``/webhooks/fake/{id}`` (signature check, shop
check, INSERT, COMMIT, 200) and N to a bare endpoint on the same server that only checks
the HMAC, from a pool of keep-alive client threads in another process, and prints both
rates and their ratio.

    .venv/bin/python -m bench.intake [--requests 2000] [--clients 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.intake_server import SECRET
from disputeflow.core.config import Settings
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.runtime import Runtime
from tests.fakes import plugin as fake_plugin
from tests.fakes.marketplace import encode, sign

SHOP = "bench-shop"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _payload(n: int) -> bytes:
    return encode({
        "id": str(n), "type": "dispute", "status": "needs_response", "reason": "fraudulent",
        "amount": "10.00", "currency": "EUR", "opened_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
    })  # fmt: skip


def _fire(url: str, count: int, clients: int, offset: int) -> float:
    bodies = [_payload(offset + n) for n in range(count)]
    sessions = [requests.Session() for _ in range(clients)]

    def send(n: int) -> int:
        body = bodies[n]
        headers = {"X-Fake-Signature": sign(body, SECRET), "X-Fake-Shop": SHOP,
                   "X-Fake-Delivery-Id": f"bench-{offset + n}", "X-Fake-Topic": "disputes/create",
                   "Content-Type": "application/json"}  # fmt: skip
        return sessions[n % clients].post(url, data=body, headers=headers, timeout=60).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        codes = list(pool.map(send, range(count)))
    elapsed = time.perf_counter() - started
    assert codes == [200] * count, sorted(set(codes))
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="df-bench-"))
    url = args.database_url or f"sqlite:///{home / 'bench.sqlite3'}"
    plugins = get_plugin_manager(load_entrypoints=False)
    plugins.register(fake_plugin, name="fake")
    runtime = Runtime.create(Settings(home=home, database_url=url, public_url="", secret_key=None),
                             plugins=plugins)  # fmt: skip
    runtime.upgrade()
    connection = runtime.add_connection("fake", f"bench-{time.time_ns()}",
                                        {"signing_secret": SECRET, "shop": SHOP})  # fmt: skip
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "bench.intake_server", url, str(home),
                               str(port), str(args.threads)])  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        _fire(f"{base}/bare", 200, args.clients, 0)  # warm up
        bare = _fire(f"{base}/bare", args.requests, args.clients, 0)
        intake = _fire(f"{base}/webhooks/fake/{connection['id']}", args.requests, args.clients, 0)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"database            {runtime.database.dialect}")
    print(f"requests x clients  {args.requests} x {args.clients} (waitress threads {args.threads})")
    print(f"bare HMAC endpoint  {bare:8.0f} requests/s")
    print(f"intake (verify+commit) {intake:5.0f} deliveries/s")
    print(f"ratio intake/bare   {intake / bare:8.2f}")


if __name__ == "__main__":
    main()
