"""Waking idle workers at once on PostgreSQL: ``NOTIFY`` when work is stored, ``LISTEN``
in every worker.

A transaction that stores a delivery or an action calls :func:`announce`; PostgreSQL
delivers the notification when (and only if) it commits. Each ``disputeflow worker`` keeps
one extra connection listening (:class:`Listener`) and sets its wake event on every
notification, on any host. Polling stays the fallback: a lost listening connection is
opened again, and a worker still looks every poll interval. SQLite has no notifications:
the web process wakes its own embedded worker directly, others poll.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "disputeflow_work"
_ANNOUNCED = "disputeflow_work_announced"
_NOTIFY = text(f"NOTIFY {CHANNEL}")


def announce(session: Session | Connection) -> None:
    """Wake the listening workers when ``session`` commits (PostgreSQL; once per session;
    a plain connection's caller calls it once per transaction)."""
    if isinstance(session, Connection):
        if session.dialect.name == "postgresql":
            session.execute(_NOTIFY)
        return
    if session.info.get(_ANNOUNCED) or session.get_bind().dialect.name != "postgresql":
        return
    session.info[_ANNOUNCED] = True
    session.execute(_NOTIFY)


def libpq_url(database_url: str) -> str | None:
    """The plain ``postgresql://`` form psycopg connects with, or ``None`` off PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """A daemon thread that ``LISTEN``\\s and sets ``wake`` on every notification."""

    def __init__(
        self, database_url: str, wake: threading.Event, retry_seconds: float = 5.0
    ) -> None:
        self._url = libpq_url(database_url)
        self._wake = wake
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Listen (PostgreSQL only); whether a listener runs."""
        if self._url is None:
            return False
        self._thread = threading.Thread(target=self._run, name="disputeflow-listen", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as error:  # the server went away: polling covers, then retry
                log.warning("LISTEN %s lost (%s); polling until it is back", CHANNEL, error)
                self._stop.wait(self._retry)

    def _listen(self) -> None:
        import psycopg  # the PostgreSQL extra; only imported when listening

        connection: Any = psycopg.connect(self._url or "", autocommit=True)
        try:
            connection.execute(f"LISTEN {CHANNEL}")
            self._wake.set()  # anything stored while not listening is looked for now
            while not self._stop.is_set():
                for _ in connection.notifies(timeout=1.0):
                    self._wake.set()
        finally:
            connection.close()
