"""The service as a plain WSGI application, for running it under any WSGI server.

``disputeflow serve --no-worker`` is one waitress process with threads. To run several
processes behind one port, hand this factory to a server that forks workers, or start
several ``serve`` processes on different ports behind the load balancer (docs/deploy.md):

    waitress-serve --port 8000 --threads 8 --call disputeflow.webhooks.wsgi:create_wsgi_app
    gunicorn --workers 4 --threads 4 -b 0.0.0.0:8000 'disputeflow.webhooks.wsgi:create_wsgi_app()'

Settings come from the environment (``DISPUTEFLOW_DATABASE_URL``, ``DISPUTEFLOW_HOME``,
``DISPUTEFLOW_SECRET_KEY``, ...), plugins from their entry points. No worker runs here:
run ``disputeflow worker`` processes beside it.
"""

from __future__ import annotations

import logging

from flask import Flask

from disputeflow.core.errors import ConfigurationError
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import case_search, migrate
from disputeflow.webhooks.app import create_app

log = logging.getLogger(__name__)


def create_wsgi_app() -> Flask:
    """The app for the installation the environment describes (its schema must be
    current, except the embedded SQLite store, which upgrades itself as ``serve`` does)."""
    runtime = Runtime.create(Settings.from_env())
    if runtime.settings.is_embedded:
        runtime.upgrade()
    elif not migrate.is_up_to_date(runtime.database):
        runtime.close()
        raise ConfigurationError(
            "the database schema is not up to date: run `disputeflow db upgrade`"
        )
    search = case_search.check(runtime.database)
    if not search.indexed:
        log.warning("%s", search.message())
    return create_app(runtime)
