"""Buyer links (the buyer's case page, minted through the API): unguessable and expiring.

A link is ``/buyer/cases/<case_id>/<expiry>.<mac>``; the MAC carries at least 128 bits
(HMAC-SHA256 under a key derived from the installation's secret), and nothing about it
can be changed or reused: another case, another expiry, one character off, a key of
another installation, a guess of the right shape, a link past its expiry.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.engine.store.secrets import load_secret_box
from disputeflow.features.transparency import links
from disputeflow.webhooks.app import create_app
from tests.fakes.marketplace import FakeMarketplace


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'links.sqlite3'}"


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


def _case(runtime, connection_id, external_id):
    payload = {"id": external_id, "type": "return", "status": "requested",
               "reason": "changed_mind", "amount": "40.00", "currency": "EUR",
               "opened_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z",
               "buyer_country": "DE", "buyer_email": "ada@example.com"}  # fmt: skip
    snapshot = FakeMarketplace().snapshot(payload)
    return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot).case.id


@pytest.fixture
def minted(runtime, client):
    """Two cases, and the path of the first one's link as the API mints it."""
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    first, second = (_case(runtime, connection["id"], n) for n in ("r1", "r2"))
    with runtime.database.session() as session:
        agent = tokens.create(session, name="agent", role=Role.AGENT).token
    response = client.post(f"/api/v1/cases/{first}/buyer-link", json={"days": 30},
                           headers={"Authorization": f"Bearer {agent}"})  # fmt: skip
    assert response.status_code == 201, response.get_json()
    return first, second, urlsplit(response.get_json()["url"]).path


def _mac_bits(token):
    _expiry, _, mac = token.partition(".")
    return 8 * len(base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)))


def test_a_link_carries_at_least_128_unguessable_bits(runtime, client, minted):
    first, _, path = minted
    token = path.rsplit("/", 1)[1]
    assert path == f"/buyer/cases/{first}/{token}"
    assert _mac_bits(token) >= 128
    assert client.get(path).status_code == 200
    other = load_secret_box(runtime.settings.home / "elsewhere", None)  # another installation
    elsewhere, _ = links.case_link(other, "", first, days=30)
    assert client.get(urlsplit(elsewhere).path).status_code == 403


def test_nothing_about_a_link_can_be_changed_or_guessed(client, minted):
    first, second, path = minted
    token = path.rsplit("/", 1)[1]
    expiry, _, mac = token.partition(".")
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    later = str(int(expiry) + 86400)
    guess = f"{expiry}.{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"
    for refused in (
        f"/buyer/cases/{second}/{token}",  # another case
        f"/buyer/cases/{first}/{later}.{mac}",  # a later expiry
        f"/buyer/cases/{first}/{expiry}.{flipped}",  # one character off
        f"/buyer/cases/{first}/{guess}",  # a guess of the right shape
        f"/buyer/cases/{first}/{expiry}",  # no MAC
    ):
        response = client.get(refused)
        assert response.status_code in (403, 404), (refused, response.status_code)
        assert b"ada@example.com" not in response.data


def test_a_link_expires(runtime, client, minted):
    first = minted[0]
    url, expires_at = links.case_link(runtime.secrets, "", first, days=1,
                                      now=utcnow() - timedelta(days=2))  # fmt: skip
    assert expires_at < utcnow()
    response = client.get(urlsplit(url).path)
    assert response.status_code == 410
    assert b"ada@example.com" not in response.data
    with pytest.raises(links.LinkExpiredError):
        links.check_case_token(runtime.secrets, first, url.rsplit("/", 1)[1])
    with pytest.raises(ValueError, match="1 to 366 days"):
        links.case_link(runtime.secrets, "", first, days=10_000)
