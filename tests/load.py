"""Helpers of the fault, scale-out and security tests that run the real service.

``disputeflow serve`` and ``disputeflow worker`` run as child processes that load the fake
marketplace through an entry point (``tests/data/worker_site``), as a third-party plugin
is loaded. :class:`Sender` posts signed deliveries from several threads, the way a
platform does, and remembers which ones were acknowledged.

Long variants: ``DISPUTEFLOW_LONG_TESTS=1`` makes the load of these tests ten times larger
(their last results are in docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select
from waitress.server import create_server

from disputeflow.engine.store.tables import CaseRow, CaseSnapshotRow, DeliveryRow, TimelineRow
from tests.fakes.marketplace import encode, sign

ROOT = Path(__file__).resolve().parents[1]
LONG = os.environ.get("DISPUTEFLOW_LONG_TESTS") == "1"
SECRET = "load-secret"
SHOP = "load-shop"
# Every sync the service starts goes here: nothing listens, so nothing leaves the machine.
NOWHERE = "http://127.0.0.1:9"
STATUSES = ("needs_response", "under_review", "won")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def scaled(short: int) -> int:
    """``short`` by default, ten times more in the long variant."""
    return short * 10 if LONG else short


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_connection(runtime: Any) -> dict[str, Any]:
    settings = {"signing_secret": SECRET, "shop": SHOP, "api_base_url": NOWHERE}
    return runtime.add_connection("fake", "load", settings)  # type: ignore[no-any-return]


def child_env(database_url: str, home: Path, *, delay: float = 0.0) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests/data/worker_site")]),
        "DISPUTEFLOW_DATABASE_URL": database_url,
        "DISPUTEFLOW_HOME": str(home),
        "DISPUTEFLOW_LOAD_PLUGINS": "fake_slow",
        "FAKE_TRANSLATE_DELAY": str(delay),
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class Service:
    """A ``disputeflow serve`` child process and where it answers."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_serve(
    database_url: str, home: Path, *, port: int | None = None, worker: bool = True,
    delay: float = 0.0, name: str = "serve",
) -> Service:  # fmt: skip
    """Start ``disputeflow serve`` (with its worker thread unless ``worker=False``) and wait
    until ``/healthz`` answers 200."""
    port = port or free_port()
    command = [sys.executable, "-m", "disputeflow", "serve", "--port", str(port)]
    if not worker:
        command.append("--no-worker")
    log = home / f"{name}-{port}-{time.monotonic_ns()}.log"
    home.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=child_env(database_url, home, delay=delay), stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    service = Service(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{service.output()}")
        try:
            if requests.get(f"{service.url}/healthz", timeout=2).status_code == 200:
                return service
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve did not answer within 60 s:\n{service.output()}")


def start_worker(database_url: str, home: Path, *, delay: float = 0.0) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "disputeflow", "worker", "--batch-size", "20",
               "--poll-interval", "0.1"]  # fmt: skip
    home.mkdir(parents=True, exist_ok=True)
    env = child_env(database_url, home, delay=delay)
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(processes: Iterable[subprocess.Popen[bytes] | Service], *, seconds: float = 30) -> None:
    """SIGTERM every process, then wait (SIGKILL what does not stop)."""
    popens = [p.process if isinstance(p, Service) else p for p in processes]
    for process in popens:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in popens:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=seconds)


@dataclass(frozen=True)
class Update:
    """One version of one dispute, as the platform sends it."""

    dispute: int
    step: int

    @property
    def delivery_id(self) -> str:
        return f"dlv-{self.dispute}-{self.step}"

    def payload(self) -> dict[str, Any]:
        return {
            "id": f"d{self.dispute}", "type": "dispute", "status": STATUSES[self.step],
            "reason": "fraudulent", "amount": "10.00", "currency": "EUR",
            "opened_at": T0.isoformat(),
            "updated_at": (T0 + timedelta(hours=self.step)).isoformat(),
        }  # fmt: skip


def updates(disputes: int, seed: int = 7) -> list[Update]:
    """Every version of ``disputes`` disputes, in a shuffled (out-of-order) sequence."""
    items = [Update(n, step) for n in range(disputes) for step in range(len(STATUSES))]
    random.Random(seed).shuffle(items)
    return items


def signed(update: Update, delivery_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = encode(update.payload())
    headers = {
        "Content-Type": "application/json", "X-Fake-Signature": sign(body, SECRET),
        "X-Fake-Shop": SHOP, "X-Fake-Delivery-Id": delivery_id or update.delivery_id,
        "X-Fake-Topic": "disputes/update",
    }  # fmt: skip
    return body, headers


@dataclass
class Sender:
    """Posts deliveries from ``threads`` threads to one or more web processes (round robin)
    and keeps, per delivery id, the last status code (0: no answer)."""

    connection_id: str
    bases: Callable[[], Sequence[str]]
    threads: int = 6
    answers: dict[str, int] = field(default_factory=dict)
    acknowledged_by: Counter[str] = field(default_factory=Counter)  # 2xx per web process
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)

    def post(self, n: int, update: Update, delivery_id: str | None = None) -> int:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        bases = self.bases()
        url = f"{bases[n % len(bases)]}/webhooks/fake/{self.connection_id}"
        body, headers = signed(update, delivery_id)
        try:
            code = session.post(url, data=body, headers=headers, timeout=30).status_code
        except requests.RequestException:
            code = 0
            self._local.session = None  # the connection may be broken: open a new one
        key = delivery_id or update.delivery_id
        with self._lock:
            if 200 <= code < 300:
                self.acknowledged_by[url.split("/webhooks/")[0]] += 1
            if not 200 <= self.answers.get(key, 0) < 300:  # an acknowledgement stays one
                self.answers[key] = code
        return code

    def send(self, items: Sequence[Update], *, pause: float = 0.0) -> None:
        def one(n: int) -> None:
            self.post(n, items[n])
            if pause:
                time.sleep(pause)

        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            list(pool.map(one, range(len(items))))

    def acknowledged(self) -> set[str]:
        with self._lock:
            return {key for key, code in self.answers.items() if 200 <= code < 300}

    def resend_until_acknowledged(self, items: Sequence[Update], seconds: float = 120) -> None:
        """What a platform does with deliveries it got no 2xx for: send them again."""
        deadline = time.monotonic() + seconds
        while True:
            missing = [u for u in items if u.delivery_id not in self.acknowledged()]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(missing)} deliveries never acknowledged")
            self.send(missing)
            time.sleep(0.2)


@contextmanager
def serve_in_thread(app: Any, threads: int = 8) -> Iterator[str]:
    """The app on a real waitress server at 127.0.0.1 (random port), in a thread."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:  # the socket closed under select() as the server stops
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)


def count(runtime: Any, *where: Any, table: Any = DeliveryRow) -> int:
    with runtime.database.session(readonly=True) as session:
        query = select(func.count()).select_from(table)
        for condition in where:
            query = query.where(condition)
        return int(session.scalar(query) or 0)


def wait_until(predicate: Callable[[], bool], seconds: float, what: str,
               alive: Iterable[Any] = ()) -> None:  # fmt: skip
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for process in alive:
            popen = process.process if isinstance(process, Service) else process
            if popen.poll() is not None:
                detail = process.output() if isinstance(process, Service) else ""
                raise AssertionError(f"a process died while waiting for {what}:\n{detail}")
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def assert_exactly_once(runtime: Any, disputes: int, acknowledged: set[str]) -> None:
    """Every acknowledged delivery was stored once and processed once, and every dispute
    ended in its newest state with each step on its timeline once."""
    with runtime.database.session(readonly=True) as session:
        rows = session.execute(
            select(DeliveryRow.dedup_key, DeliveryRow.status, DeliveryRow.attempts)
        ).all()
        states = set(session.execute(select(CaseRow.status, CaseRow.outcome)).all())
        derived = select(func.count()).select_from(TimelineRow).where(TimelineRow.derived)
        entries = session.scalar(derived)
        snapshots = session.scalar(select(func.count()).select_from(CaseSnapshotRow))
    stored = {key: (status, attempts) for key, status, attempts in rows}
    assert len(stored) == len(rows)  # one row per delivery id: duplicates stored nothing
    assert acknowledged <= set(stored), sorted(acknowledged - set(stored))[:5]
    assert {status for status, _ in stored.values()} == {"done"}, json.dumps(
        {k: v for k, v in stored.items() if v[0] != "done"}
    )[:500]
    assert {attempts for _, attempts in stored.values()} == {1}  # none processed twice
    assert count(runtime, table=CaseRow) == disputes
    assert states == {("resolved", "merchant_favor")}
    assert snapshots == disputes * len(STATUSES)
    # opened, needs_response -> under_review, under_review -> resolved: three per case
    assert entries == disputes * 3
