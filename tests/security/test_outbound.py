"""Outbound requests cannot be turned inward (issue 16, item 3).

Platform clients and the notice webhook never follow a redirect; a connection URL or a
notice URL that is (or resolves to) a loopback, private, link-local or metadata address
is refused unless the installation allows it; and the call-time check runs on the address
a socket actually reached, so a name that resolves inward later is refused too. Real HTTP
servers on 127.0.0.1 stand in for the inside of the network.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import responses

from disputeflow.core.errors import InvalidInputError, MarketplaceError
from disputeflow.core.taxonomy import Role
from disputeflow.engine import outbound
from disputeflow.engine.config import Settings
from disputeflow.engine.http import PlatformClient
from disputeflow.engine.notices import NoticeError
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import tokens
from disputeflow.features.notices.webhook import WebhookNotifier
from disputeflow.webhooks.app import create_app

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks docs' example


class Inside:
    """A server on 127.0.0.1 (the "internal service"); counts every request it gets and
    answers ``status`` with ``location``."""

    def __init__(self, status=200, location=None):
        self.hits = []
        inside = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                inside.hits.append(self.path)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                body = b'{"secret": "metadata"}'
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def inside():
    servers = []

    def make(**options):
        servers.append(Inside(**options))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def strict():
    """The production default: internal addresses refused."""
    outbound.set_private_allowed(False)
    yield
    outbound.set_private_allowed(None)


def test_a_platform_client_refuses_an_internal_peer_before_sending(inside, strict):
    target = inside()
    client = PlatformClient(target.url, retries=2, sleep=lambda _: None)
    with pytest.raises(MarketplaceError) as refused:
        client.json("GET", "/latest/meta-data/")
    assert refused.value.code == "internal_address"
    assert refused.value.transient is False  # never retried
    assert target.hits == []  # not a byte of the request reached it


def test_a_name_that_resolves_inward_at_call_time_is_refused(inside, strict):
    target = inside()
    port = target.url.rsplit(":", 1)[1]
    client = PlatformClient(f"http://localhost:{port}", retries=0)
    with pytest.raises(MarketplaceError, match="internal address"):
        client.request("GET", "/")
    assert target.hits == []


def test_a_redirect_is_never_followed(inside):
    metadata = inside()  # allowed here, so only the redirect rule is at work
    platform = inside(status=302, location=f"{metadata.url}/latest/meta-data/")
    client = PlatformClient(platform.url, retries=0)
    answer = client.request("GET", "/orders")
    assert answer.status_code == 302
    with pytest.raises(MarketplaceError, match="redirects are not followed") as error:
        client.json("GET", "/orders")
    assert error.value.transient is False
    assert metadata.hits == []


@responses.activate
def test_a_redirect_is_not_followed_even_where_requests_would(strict):
    responses.get("https://shop.example/api/orders", status=301,
                  headers={"Location": "http://169.254.169.254/latest/meta-data/"})  # fmt: skip
    responses.get("http://169.254.169.254/latest/meta-data/", json={"AccessKeyId": "x"})
    with pytest.raises(MarketplaceError, match="redirect"):
        PlatformClient("https://shop.example/api", retries=0).json("GET", "orders")
    assert [call.request.url for call in responses.calls] == ["https://shop.example/api/orders"]


def _notice():
    # What WebhookNotifier.send reads of a notice: its payload and idempotency key.
    return SimpleNamespace(payload={"step": "case_opened"}, idempotency_key="ntc_1")


def test_the_notice_webhook_refuses_internal_receivers_and_redirects(inside, strict):
    receiver = inside()
    with pytest.raises(NoticeError) as refused:
        WebhookNotifier(receiver.url, SECRET).send(_notice())
    assert refused.value.transient is False
    assert receiver.hits == []
    outbound.set_private_allowed(True)
    target = inside()
    bouncer = inside(status=307, location=target.url)
    with pytest.raises(NoticeError, match="refused: HTTP 307"):
        WebhookNotifier(bouncer.url, SECRET).send(_notice())
    assert (len(bouncer.hits), target.hits) == (1, [])


@pytest.fixture
def settings(database_url, tmp_path):
    """An installation as in production: internal addresses not allowed."""
    return Settings(home=tmp_path / "home", database_url=database_url,
                    public_url="http://127.0.0.1:8000", secret_key=None,
                    allow_private_urls=False)  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9200/",
        "http://localhost/",
        "http://api.localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",  # Alibaba Cloud's metadata (shared address space)
        "http://0.0.0.0/",
    ],
)
def test_a_connection_url_to_an_internal_address_is_refused(runtime, url):
    with pytest.raises(InvalidInputError) as refused:
        runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu",
                                              "api_base_url": url})  # fmt: skip
    assert "api_base_url" in refused.value.errors


def test_public_and_unresolvable_names_are_accepted_and_checked_at_call_time(runtime):
    for url in ("https://93.184.215.14/api", "https://shop.does-not-resolve.invalid/api"):
        added = runtime.add_connection("fake", url[-12:], {"signing_secret": "s", "shop": "eu",
                                                           "api_base_url": url})  # fmt: skip
        assert added["settings"]["api_base_url"] == url


def test_the_api_answers_422_for_an_internal_connection_url(runtime):
    with runtime.database.session() as session:
        admin = tokens.create(session, name="admin", role=Role.ADMIN).token
    client = create_app(runtime, {"TESTING": True}).test_client()
    answer = client.post(
        "/api/v1/connections", headers={"Authorization": f"Bearer {admin}"},
        json={"platform": "fake", "name": "eu", "settings": {
            "signing_secret": "s", "shop": "eu", "api_base_url": "http://169.254.169.254/"}},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "api_base_url" in answer.get_json()["errors"]


def test_the_installation_can_allow_internal_addresses(tmp_path, fake_plugins, monkeypatch):
    monkeypatch.setenv(outbound.ALLOW_ENV, "1")
    settings = Settings.from_env(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'a.db'}")
    assert settings.allow_private_urls is True
    runtime = Runtime.create(settings, plugins=fake_plugins)
    runtime.upgrade()
    try:
        added = runtime.add_connection(
            "fake",
            "dev",
            {"signing_secret": "s", "shop": "eu", "api_base_url": "http://127.0.0.1:9/"},
        )
        assert added["settings"]["api_base_url"] == "http://127.0.0.1:9/"
    finally:
        runtime.close()
    monkeypatch.setenv(outbound.ALLOW_ENV, "0")
    assert Settings.from_env(home=tmp_path).allow_private_urls is False


def test_an_internal_notice_webhook_url_stops_the_start(tmp_path):
    from disputeflow.core.errors import ConfigurationError
    from disputeflow.engine.notice_settings import NoticeSettings
    from disputeflow.features.notices import plugin as builtin

    notices = NoticeSettings(webhook_url="http://169.254.169.254/hook", webhook_secret=SECRET)
    strict_settings = Settings(
        home=tmp_path,
        database_url="sqlite://",
        public_url="http://x",
        secret_key=None,
        notices=notices,
        allow_private_urls=False,
    )
    with pytest.raises(ConfigurationError, match="DISPUTEFLOW_NOTICE_WEBHOOK_URL"):
        builtin.disputeflow_register_notifiers(settings=strict_settings)
    allowed = replace(strict_settings, allow_private_urls=True)
    assert [n.name for n in builtin.disputeflow_register_notifiers(settings=allowed)] == ["webhook"]
