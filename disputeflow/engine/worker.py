"""The worker loop: deliveries, actions, scheduled syncs, then the features' own work
(notices, automation rules, housekeeping, through hooks), until told to stop.

Run it as ``disputeflow worker`` (any number of processes, on any host, against
PostgreSQL) or as the thread ``disputeflow serve`` starts beside the web server. Between
rounds it sleeps until woken (a new delivery in the same process, or on PostgreSQL a
``NOTIFY`` from any process that stored a delivery or an action) or the poll interval ends.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.hooks import call_each
from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.audit_verify import CHECKPOINT_PURPOSE, write_checkpoint
from disputeflow.engine.sync import run_due_syncs
from disputeflow.engine.wakeup import Listener

log = logging.getLogger(__name__)


@dataclass
class WorkerOptions:
    """Knobs of one worker."""

    batch_size: int = 20
    poll_interval: float = 1.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    # how often to raise approaching deadlines and re-read store policies (seconds)
    housekeeping_interval: float = 60.0


def sign_audit_heads(runtime: Runtime) -> bool:
    """A signed checkpoint of every audit lane's head, when anything was appended since."""
    key = runtime.secrets.derive_key(CHECKPOINT_PURPOSE)
    with runtime.database.session() as session:
        return write_checkpoint(session, key)


class Worker:
    """Processes due work for one runtime; :meth:`run` loops, :meth:`run_once` does a round."""

    def __init__(self, runtime: Runtime, options: WorkerOptions | None = None) -> None:
        self.runtime = runtime
        self.options = options or WorkerOptions()
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self._housekept_at: float | None = None

    def run_once(self) -> int:
        """One round over every kind of work; returns how many items were handled
        (deliveries, actions, syncs, cases the automation rules looked at)."""
        handled = 0
        report = process_deliveries(
            self.runtime, limit=self.options.batch_size, policy=self.options.policy
        )
        handled += report.processed + report.failed
        handled += process_actions(self.runtime, policy=self.options.policy).handled
        handled += run_due_syncs(self.runtime)
        self.housekeeping()
        rounds = call_each(
            self.runtime.plugins,
            "disputeflow_worker_round",
            runtime=self.runtime,
            batch_size=self.options.batch_size,
            policy=self.options.policy,
        )
        handled += sum(count for count in rounds if isinstance(count, int))
        return handled

    def housekeeping(self, *, force: bool = False) -> None:
        """Sign the audit lanes' heads and call ``disputeflow_housekeeping`` (the built-ins
        raise approaching deadlines, re-read store policies and drop expired personal data)
        at most once per
        ``housekeeping_interval``; a failure is logged and the round goes on."""
        started = time.monotonic()
        last = self._housekept_at
        if not force and last is not None and started - last < self.options.housekeeping_interval:
            return
        self._housekept_at = started
        try:
            sign_audit_heads(self.runtime)
        except Exception:  # a failed checkpoint is logged; the next round tries again
            log.exception("audit checkpoint failed")
        call_each(self.runtime.plugins, "disputeflow_housekeeping", runtime=self.runtime)

    def run(self) -> None:
        """Loop until :meth:`stop`; an error in a round is logged and the loop goes on."""
        log.info("worker started")
        listener = Listener(self.runtime.settings.database_url, self.wake_event)
        if listener.start():
            log.info("worker listening for new work (PostgreSQL LISTEN/NOTIFY)")
        try:
            self._loop()
        finally:
            listener.stop()
        log.info("worker stopped")

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                handled = self.run_once()
            except Exception:
                log.exception("worker round failed; retrying after the poll interval")
                handled = 0
            if handled:
                continue  # more may be waiting: go again at once
            self.wake_event.wait(self.options.poll_interval)
            self.wake_event.clear()

    def stop(self) -> None:
        """Finish the current round, then return from :meth:`run`."""
        self.stop_event.set()
        self.wake_event.set()

    def start_thread(self) -> threading.Thread:
        """Run in a daemon thread (embedded mode beside ``serve``)."""
        thread = threading.Thread(target=self.run, name="disputeflow-worker", daemon=True)
        thread.start()
        return thread
