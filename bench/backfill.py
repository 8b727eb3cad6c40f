"""Polling backfill: a first sync of N platform objects from a local fake platform.

A small threaded HTTP server on 127.0.0.1 (its own process) plays the fake marketplace's
``GET /cases?since=CURSOR`` (tests/fakes/marketplace.py ``list_changes``): objects oldest
first, ``--page-size`` a page, each page's cursor the ``updated_at`` of its last object,
pages overlapping by that object as with real "updated since" filters. The objects are
made on the fly, so the server holds none of them.

Each count is synced by a fresh process (``sync_connection``, as ``disputeflow sync``
does), which reports the time, the peak of Python allocations during the sync
(tracemalloc, which slows it down; ``--no-tracemalloc`` to time without it) and the
process's peak resident size (ru_maxrss). Flat memory means the peaks do not grow with
the count.

    .venv/bin/python -m bench.backfill [--objects 10000,100000] [--page-size 250]
        [--database sqlite|postgresql|both] [--postgres-url URL] [--no-tracemalloc]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bench import support
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.sync import sync_connection
from tests.fakes import plugin as fake_plugin

T0 = datetime(2025, 1, 1, tzinfo=UTC)
STATUSES = ("needs_response", "under_review", "won", "lost")
REASONS = ("fraudulent", "not_received", "not_as_described", "damaged", "general")


def fake_object(n: int) -> dict[str, object]:
    """The platform's object number ``n`` (its ``updated_at`` is T0 + n seconds)."""
    return {
        "id": str(10_000_000 + n), "type": "dispute" if n % 3 else "return",
        "status": STATUSES[n % 4] if n % 3 else "requested", "reason": REASONS[n % 5]
        if n % 3 else "changed_mind", "amount": f"{10 + n % 90}.50", "currency": "EUR",
        "opened_at": to_rfc3339(T0), "updated_at": to_rfc3339(T0 + timedelta(seconds=n)),
        "buyer_country": "DE", "buyer_email": f"buyer{n}@example.com", "order_id": str(n),
    }  # fmt: skip


class FakePlatform(BaseHTTPRequestHandler):
    """``GET /cases?since=``: a page of objects from the cursor on (inclusive)."""

    count = 0
    page_size = 250

    def do_GET(self) -> None:
        since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
        first = int((parse_rfc3339(since) - T0).total_seconds()) if since else 0
        last = min(self.count, first + self.page_size)
        items = [fake_object(n) for n in range(first, last)]
        body = json.dumps({
            "items": items,
            "next_cursor": items[-1]["updated_at"] if items else (since or None),
            "has_more": last < self.count,
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(port: int, count: int, page_size: int) -> None:
    FakePlatform.count, FakePlatform.page_size = count, page_size
    ThreadingHTTPServer(("127.0.0.1", port), FakePlatform).serve_forever()


def child(count: int, port: int, url: str, home: Path, trace: bool) -> None:
    """Sync ``count`` objects in this process; print what it took as JSON."""
    plugins = get_plugin_manager(load_entrypoints=False)
    plugins.register(fake_plugin, name="fake")
    settings = Settings(home=home, database_url=url, public_url="", secret_key=None)
    runtime = Runtime.create(settings, plugins=plugins)
    runtime.upgrade()
    connection = runtime.add_connection("fake", "backfill", {
        "signing_secret": "s", "shop": "b", "api_base_url": f"http://127.0.0.1:{port}",
    })  # fmt: skip
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    report = sync_connection(runtime, connection["id"])
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    runtime.close()
    assert report.created == count, report
    assert report.failed == 0, report
    print(json.dumps({
        "objects": count, "pages": report.pages, "seconds": elapsed,
        "tracemalloc_peak_mib": peak / 2**20,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))  # fmt: skip


def measure(dialect: str, count: int, args: argparse.Namespace) -> dict[str, float]:
    port = support.free_port()
    command = [sys.executable, "-m", "bench.backfill", "--serve", str(port), str(count),
               str(args.page_size)]  # fmt: skip
    server = subprocess.Popen(command, cwd=support.ROOT)
    try:
        with (
            support.temporary_home() as home,
            support.database_url(dialect, args.postgres_url, home) as url,
        ):
            probe = f"http://127.0.0.1:{port}/cases?since="
            support.wait_for_http(probe, server)
            command = [sys.executable, "-m", "bench.backfill", "--child", str(count),
                       str(port), url, str(home), "1" if args.tracemalloc else "0"]  # fmt: skip
            output = subprocess.run(command, cwd=support.ROOT, check=True, capture_output=True)
            result: dict[str, float] = json.loads(output.stdout.decode().splitlines()[-1])
            return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        count, port, url, home, trace = sys.argv[2:7]
        child(int(count), int(port), url, Path(home), trace == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", default="10000,100000", help="counts to sync, each afresh")
    parser.add_argument("--page-size", type=int, default=250)
    parser.add_argument("--no-tracemalloc", dest="tracemalloc", action="store_false")
    support.add_database_arguments(parser, default="sqlite")
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    for dialect in support.databases(args):
        print(f"\n== backfill on {dialect}, {args.page_size} objects a page ==")
        for count in (int(n) for n in args.objects.split(",")):
            r = measure(dialect, count, args)
            print(f"{r['objects']:>8,} objects  {r['pages']:5} pages  {r['seconds']:7.1f} s  "
                  f"{r['objects'] / r['seconds']:6.0f}/s  tracemalloc peak "
                  f"{r['tracemalloc_peak_mib']:6.1f} MiB  ru_maxrss {r['maxrss_mib']:6.1f} MiB",
                  flush=True)  # fmt: skip
    print(f"load avg after: {support.load_average()}")


if __name__ == "__main__":
    main()
