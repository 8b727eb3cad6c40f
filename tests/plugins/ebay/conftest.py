"""Fixtures of the eBay plugin's tests: the plugin registered with a fake clock, an eBay
connection whose API is ``responses``-mocked at :data:`API`, a P-256 key of the tests' own
served by the mocked Notification API, and helpers to post and read back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow
from disputeflow.plugins.ebay import plugin as ebay_plugin
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.samples import object_message
from disputeflow.plugins.ebay.signatures import public_key_answer, sign
from disputeflow.webhooks.app import create_app
from tests.plugins.ebay.payloads import to_json

FIXTURES = Path(__file__).parent / "fixtures"
API = "http://ebay.test"
TOKEN_URL = f"{API}/identity/v1/oauth2/token"
KID = "99362619-7d7b-4621-a0f1-96ccb428af49"
KEY_URL = f"{API}/commerce/notification/v1/public_key/{KID}"
SIGNING_KEY_URL = f"{API}/developer/key_management/v1/signing_key"
EBAY_SIGNATURE_EXAMPLE = json.loads(
    (Path(__file__).parent / "fixtures" / "ebay_digital_signature_example.json").read_text()
)
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
VERIFICATION_TOKEN = "tok_0123456789_abcdefghij_ABCDEFGHIJ_xyz"

SETTINGS = {
    "marketplace_id": "EBAY_DE",
    "client_id": "Disputef-demo-PRD-0a1b2c3d4-5e6f7a8b",
    "client_secret": "PRD-0a1b2c3d4e5f-6a7b-8c9d-0e1f-2a3b",
    "refresh_token": "v^1.1#i^1#refresh",
    "verification_token": VERIFICATION_TOKEN,
    "api_base_url": API,
}


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def ebay(clock, sleeps):
    return EbayMarketplace(clock=clock, sleep=sleeps.append)


@pytest.fixture
def fake_plugins(plugin_manager, ebay, monkeypatch):
    """The plugin module itself, registered as its entry point does, with our adapter."""
    monkeypatch.setattr(ebay_plugin, "make_marketplace", lambda: ebay)
    plugin_manager.register(ebay_plugin, name="ebay")
    return plugin_manager


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def shop(runtime):
    """An eBay connection (its JSON description: ``id``, ``webhook_url`` ...)."""
    return runtime.add_connection("ebay", "de-shop", dict(SETTINGS))


@pytest.fixture(scope="session")
def signing_key():
    return ec.generate_private_key(ec.SECP256R1())


class Ebay:
    """The mocked eBay: OAuth, the Notification API key, and helpers to add API answers."""

    def __init__(self, mock: responses.RequestsMock, signing_key) -> None:
        self.mock = mock
        self.user_tokens = 0
        self.app_tokens = 0
        self.token_forms: list[dict[str, str]] = []
        mock.add_callback(responses.POST, TOKEN_URL, callback=self._token)
        self.key = mock.get(KEY_URL, json=public_key_answer(signing_key))
        self.signing_keys = mock.post(SIGNING_KEY_URL, json=created_signing_key())

    def _token(self, request):
        form = dict(re.findall(r"([^&=]+)=([^&]*)", request.body))
        self.token_forms.append(form)
        if form.get("grant_type") == "authorization_code":
            answer = {
                "access_token": "from-code",
                "expires_in": 7200,
                "refresh_token": "v^1.1#granted",
                "refresh_token_expires_in": 47304000,
            }
        elif form.get("grant_type") == "client_credentials":
            self.app_tokens += 1
            answer = {"access_token": f"app-{self.app_tokens}", "expires_in": 7200}
        else:
            self.user_tokens += 1
            answer = {
                "access_token": f"user-{self.user_tokens}",
                "expires_in": 7200,
                "token_type": "User Access Token",
            }
        return 200, {}, json.dumps(answer)

    def get(self, path, body, status=200, **options):
        return self.mock.get(
            f"{API}/{path}",
            body=to_json(body),
            status=status,
            content_type="application/json",
            **options,
        )

    def post(self, path, body=None, status=200, **options):
        text = to_json(body) if body is not None else ""
        return self.mock.post(
            f"{API}/{path}", body=text, status=status, content_type="application/json", **options
        )

    def calls(self, fragment, method=None):
        return [
            call
            for call in self.mock.calls
            if fragment in call.request.url and (method is None or call.request.method == method)
        ]


@pytest.fixture
def mocked(signing_key):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Ebay(mock, signing_key)


def created_signing_key():
    """createSigningKey's answer (its SigningKey fields), carrying eBay's published test key
    and JWE; eBay returns the private key as bare base64 PKCS#8."""
    pem = EBAY_SIGNATURE_EXAMPLE["private_key_pem"]
    bare = "".join(line for line in pem.splitlines() if "-----" not in line)
    return {
        "signingKeyId": "ed25519-test-key",
        "signingKeyCipher": "ED25519",
        "privateKey": bare,
        "publicKey": EBAY_SIGNATURE_EXAMPLE["public_key_pem"],
        "jwe": EBAY_SIGNATURE_EXAMPLE["jwe"],
        "creationTime": 1658440308,
        "expirationTime": 1753048308,
    }


def signed(payload, key, kid=KID):
    """``(body, headers)`` of a Notification API POST: compact JSON, ECDSA-signed."""
    body = to_json(payload).encode()
    return body, {"Content-Type": "application/json", "X-EBAY-SIGNATURE": sign(body, key, kid)}


def notify(client, connection, payload, key, kid=KID):
    """POST a Notification API message to the connection, signed with ``key``."""
    body, headers = signed(payload, key, kid)
    return client.post(f"/webhooks/ebay/{connection['id']}", data=body, headers=headers)


def deliver_object(client, connection, key, object_type, obj, notification_id, at):
    """POST one eBay object as a signed DISPUTEFLOW_OBJECT message; assert eBay's 204."""
    payload = object_message(object_type, obj, notification_id, at)
    response = notify(client, connection, payload, key)
    assert response.status_code == 204, response.get_data(as_text=True)
    return response


def load_case(runtime, object_type, external_id):
    with runtime.database.session() as session:
        row = session.scalar(
            select(CaseRow).where(
                CaseRow.object_type == object_type, CaseRow.external_id == external_id
            )
        )
        return cases.load(session, row) if row is not None else None


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()
