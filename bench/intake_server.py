"""The server half of bench/intake.py: the real app on waitress, plus a bare HMAC endpoint.

Run by bench/intake.py in a child process so the load generator does not share its GIL.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from pathlib import Path

import waitress
from flask import request

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.webhooks.app import create_app
from tests.fakes import plugin as fake_plugin

SECRET = "bench-secret"


def main(database_url: str, home: str, port: int, threads: int) -> None:
    plugins = get_plugin_manager(load_entrypoints=False)
    plugins.register(fake_plugin, name="fake")
    settings = Settings(home=Path(home), database_url=database_url,
                        public_url="http://127.0.0.1", secret_key=None)  # fmt: skip
    runtime = Runtime.create(settings, plugins=plugins)
    app = create_app(runtime)

    @app.post("/bare")
    def bare():  # the same HMAC check, nothing stored
        expected = hmac.new(SECRET.encode(), request.get_data(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Fake-Signature", "")):
            return {"status": "forged"}, 401
        return {"status": "ok"}, 200

    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, ident="bench")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
