"""Idle and half-open connections cannot lock the service out (issue 16).

A real waitress server on 127.0.0.1 with ``serve``'s own options: 120 sockets that connect
and then say nothing (or half a request line) must not keep ``/healthz`` from answering.
With waitress's defaults (100 connections, 120 s idle) the 101st socket waited.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from waitress.server import create_server

from disputeflow.cli.serve import CHANNEL_TIMEOUT, CONNECTION_LIMIT, waitress_options
from disputeflow.webhooks.app import create_app

IDLE = 120


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'slow.sqlite3'}"


@pytest.fixture
def server(runtime):
    options = waitress_options(4, CONNECTION_LIMIT, CHANNEL_TIMEOUT)
    live = create_server(create_app(runtime), host="127.0.0.1", port=0, **options)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{live.effective_port}", live.effective_port
    finally:
        live.close()
        thread.join(timeout=5)


def test_120_idle_sockets_do_not_block_healthz(server):
    base, port = server
    idle = []
    try:
        for number in range(IDLE):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if number % 2:  # half of them start a request and never finish it
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(sock)
        time.sleep(0.5)  # let the server accept them all
        started = time.monotonic()
        answer = requests.get(f"{base}/healthz", timeout=5)
        assert answer.status_code == 200
        assert time.monotonic() - started < 3
    finally:
        for sock in idle:
            sock.close()


def test_idle_sockets_are_closed_after_the_channel_timeout():
    options = waitress_options(2, CONNECTION_LIMIT, 1)
    assert options["channel_timeout"] == 1
    assert options["cleanup_interval"] == 1
    assert CONNECTION_LIMIT > IDLE
    assert CHANNEL_TIMEOUT <= 30
