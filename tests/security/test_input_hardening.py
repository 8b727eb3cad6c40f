"""Input found to crash or slip through when the running service was attacked (issue 16):
non-ASCII digits in signed tokens, JSON nested beyond any real payload, a lower role
starting an install."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.features.transparency import links
from disputeflow.webhooks.app import create_app
from tests.fakes.marketplace import FakeMarketplace


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


def _token(runtime, role):
    with runtime.database.session() as session:
        return tokens.create(session, name=f"{role}-bot", role=Role(role)).token


def _case(runtime):
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    payload = {"id": "r1", "type": "return", "status": "requested", "reason": "changed_mind",
               "amount": "40.00", "currency": "EUR", "opened_at": "2026-11-01T10:00:00Z",
               "updated_at": "2026-11-01T10:00:00Z"}  # fmt: skip
    snapshot = FakeMarketplace().snapshot(payload)
    return ingest_snapshot(runtime.database, runtime.plugins, connection["id"], snapshot).case.id


@pytest.mark.parametrize("stamp", ["²", "\uff11\uff12\uff13", "١٢٣", "1²"])
def test_a_buyer_link_with_non_ascii_digits_is_refused(runtime, client, stamp):
    case_id = _case(runtime)
    url, _ = links.case_link(runtime.secrets, "", case_id)
    mac = url.rsplit(".", 1)[1]
    assert client.get(urlsplit(url).path).status_code == 200
    answer = client.get(f"/buyer/cases/{case_id}/{stamp}.{mac}")
    assert answer.status_code == 403
    with pytest.raises(links.LinkError):
        links.check_case_token(runtime.secrets, case_id, f"{stamp}.{mac}")


def _deep(depth):
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/tokens"),
        ("POST", "/api/v1/connections"),
        ("POST", "/api/v1/cases/case_x/actions"),
        ("POST", "/api/v1/deliveries/replay"),
        ("GET", "/api/v1/cases"),
    ],
)
def test_deeply_nested_json_is_a_bad_request_on_any_api_route(runtime, client, method, path):
    admin = _token(runtime, "admin")
    for body in (_deep(100_000), b'{"a":' * 50_000 + b"1" + b"}" * 50_000):
        answer = client.open(
            path, method=method, data=body,
            headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
        )  # fmt: skip
        assert answer.status_code == 400, (path, answer.status_code)
        assert answer.get_json()["code"] == "bad_request"
        assert "nested" in answer.get_json()["message"]


def test_deeply_nested_json_at_intake_and_installs_is_refused(runtime, client):
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    install = client.post(
        "/install/woocommerce", data=_deep(5_000), content_type="application/json"
    )
    assert install.status_code == 400
    # the intake verifies raw bytes before anything parses: the plugin refuses it unsigned
    intake = client.post(
        f"/webhooks/fake/{connection['id']}", data=_deep(100_000), content_type="application/json"
    )
    assert intake.status_code == 401
    # The API reads no body before the token: without one, it is 401 as ever.
    unauthenticated = client.post("/api/v1/tokens", data=_deep(5_000),
                                  content_type="application/json")  # fmt: skip
    assert unauthenticated.status_code == 401


def test_ordinary_nesting_still_passes(runtime, client):
    admin = _token(runtime, "admin")
    answer = client.post("/api/v1/tokens", json={"name": "n", "role": "viewer",
                                                  "x": [[[[[[[[[[1]]]]]]]]]]},
                         headers={"Authorization": f"Bearer {admin}"})  # fmt: skip
    assert answer.status_code in (201, 422)  # the schema decides, not the depth guard
