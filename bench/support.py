"""What the benchmarks share: databases to run on, ports, percentiles, the machine.

Every benchmark runs on SQLite (a file in a temporary folder) and, when a PostgreSQL URL
is known (``--postgres-url``, else ``BENCH_POSTGRES_URL``, else
``DISPUTEFLOW_TEST_POSTGRES_URL``), on PostgreSQL in a schema of its own that is dropped
afterwards, so nothing is left in the database's public schema.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
WORKER_SITE = ROOT / "tests" / "data" / "worker_site"

# The benchmarks' platforms are servers on 127.0.0.1: allow internal addresses, as local
# development does (docs/security.md), here and in the child processes started from here.
os.environ.setdefault("DISPUTEFLOW_ALLOW_PRIVATE_URLS", "1")


def postgres_url_from_env() -> str | None:
    return os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DISPUTEFLOW_TEST_POSTGRES_URL")


def add_database_arguments(parser: argparse.ArgumentParser, default: str = "both") -> None:
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default=default,
        help="which store(s) to measure (PostgreSQL needs a URL; 'both' skips it without one)",
    )
    parser.add_argument("--postgres-url", default=postgres_url_from_env())


def databases(args: argparse.Namespace) -> list[str]:
    """The dialects to run, from ``--database`` and whether a PostgreSQL URL is known."""
    wanted = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in wanted and not args.postgres_url:
        if args.database == "postgresql":
            raise SystemExit("PostgreSQL needs --postgres-url or BENCH_POSTGRES_URL")
        print("(no PostgreSQL URL: set BENCH_POSTGRES_URL to measure PostgreSQL too)")
        wanted.remove("postgresql")
    return wanted


@contextmanager
def database_url(dialect: str, postgres_url: str | None, home: Path) -> Iterator[str]:
    """A fresh store: an SQLite file in ``home``, or a PostgreSQL schema dropped at the end."""
    if dialect == "sqlite":
        yield f"sqlite:///{home / 'bench.sqlite3'}"
        return
    assert postgres_url
    schema = f"df_bench_{secrets.token_hex(5)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # pg_trgm where an owner installs it (public), not in the schema dropped at the end
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def temporary_home() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="df-bench-") as folder:
        yield Path(folder)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited early with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds}s")


def percentile(samples: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``samples``, by linear interpolation."""
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    cuts = statistics.quantiles(samples, n=1000, method="inclusive")
    return cuts[min(len(cuts) - 1, max(0, round(share * 1000) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def postgres_version(url: str | None) -> str | None:
    if not url:
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


def machine(postgres_url: str | None = None) -> list[str]:
    """Lines describing where the figures come from."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"date        {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine     {os.cpu_count()} cpu, {memory:.0f} GiB, {platform.platform()}",
        f"python      {platform.python_version()}, sqlite {sqlite3.sqlite_version}",
        f"load avg    {load_average()}",
    ]
    version = postgres_version(postgres_url)
    if version:
        lines.append(f"postgresql  {version}")
    return lines


def worker_env(database_url: str, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``disputeflow`` child process that loads the fake marketplace
    through an entry point (``tests/data/worker_site``), as the worker tests do."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(WORKER_SITE)]),
        "DISPUTEFLOW_DATABASE_URL": database_url,
        "DISPUTEFLOW_HOME": str(home),
        "DISPUTEFLOW_LOAD_PLUGINS": "fake_slow",
        "FAKE_TRANSLATE_DELAY": "0",
        **extra,
    }
