"""Where one worker's time goes: ``bench.processing``'s in-process run under cProfile.

Prints deliveries per second (cProfile slows Python about twice: compare runs of this
script, not with ``bench.processing``), SQL statements and transactions per delivery, and
the top functions by own time and by cumulative time.

    .venv/bin/python -m bench.profile [--disputes 300] [--top 25] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from typing import Any

from sqlalchemy import event

from bench import processing, support
from disputeflow.engine.processing import process_deliveries


class Counter:
    """SQL statements and transactions an engine ran."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        self.commits = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, *_: Any) -> None:
        self.commits += 1


def profile(url: str, home: Any, disputes: int, top: int) -> None:
    runtime, connection_id = processing._runtime(url, home)
    try:
        total = processing._enqueue(runtime, connection_id, disputes)
        counter = Counter(runtime.database.engine)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        while process_deliveries(runtime, limit=50).processed:
            pass
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"{total} deliveries in {elapsed:.2f} s under cProfile: {total / elapsed:.0f}/s, "
              f"{elapsed / total * 1000:.2f} ms each")  # fmt: skip
        print(f"per delivery: {counter.statements / total:.1f} SQL statements, "
              f"{counter.commits / total:.2f} commits")  # fmt: skip
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            body = out.getvalue()
            print(f"\n-- top {top} by {order} --")
            print(body[body.index("   ncalls") :].rstrip())
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=300, help="x3 deliveries")
    parser.add_argument("--top", type=int, default=25)
    support.add_database_arguments(parser, default="sqlite")
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    for dialect in support.databases(args):
        print(f"\n== {dialect} ==")
        with (
            support.temporary_home() as home,
            support.database_url(dialect, args.postgres_url, home) as url,
        ):
            profile(url, home, args.disputes, args.top)


if __name__ == "__main__":
    main()
