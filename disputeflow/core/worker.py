"""The worker loop: deliveries, actions, scheduled syncs, then notices, until told to stop.

Run it as ``disputeflow worker`` (any number of processes, on any host, against
PostgreSQL) or as the thread ``disputeflow serve`` starts beside the web server. Between
rounds it sleeps until woken (a new delivery in the same process) or the poll interval ends.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from disputeflow.core.action_runner import process_actions
from disputeflow.core.handling.alerts import raise_approaching
from disputeflow.core.handling.automation import run_automation
from disputeflow.core.handling.policies import refresh_policies
from disputeflow.core.notices.outbox import process_notices
from disputeflow.core.processing import RetryPolicy, process_deliveries
from disputeflow.core.retention import apply_retention
from disputeflow.core.runtime import Runtime
from disputeflow.core.sync import run_due_syncs

log = logging.getLogger(__name__)


@dataclass
class WorkerOptions:
    """Knobs of one worker."""

    batch_size: int = 20
    poll_interval: float = 1.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    # how often to raise approaching deadlines and re-read store policies (seconds)
    housekeeping_interval: float = 60.0


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
        handled += process_notices(self.runtime, policy=self.options.policy).handled
        self.housekeeping()
        handled += run_automation(self.runtime, limit=self.options.batch_size)
        return handled

    def housekeeping(self, *, force: bool = False) -> None:
        """Raise approaching deadlines, re-read store policies and drop expired personal
        data, at most once per ``housekeeping_interval``; a failure is logged and the round
        goes on."""
        started = time.monotonic()
        last = self._housekept_at
        if not force and last is not None and started - last < self.options.housekeeping_interval:
            return
        self._housekept_at = started
        for step in (raise_approaching, refresh_policies, apply_retention):
            try:
                step(self.runtime)
            except Exception:
                log.exception("worker housekeeping step %s failed", step.__name__)

    def run(self) -> None:
        """Loop until :meth:`stop`; an error in a round is logged and the loop goes on."""
        log.info("worker started")
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
        log.info("worker stopped")

    def stop(self) -> None:
        """Finish the current round, then return from :meth:`run`."""
        self.stop_event.set()
        self.wake_event.set()

    def start_thread(self) -> threading.Thread:
        """Run in a daemon thread (embedded mode beside ``serve``)."""
        thread = threading.Thread(target=self.run, name="disputeflow-worker", daemon=True)
        thread.start()
        return thread
