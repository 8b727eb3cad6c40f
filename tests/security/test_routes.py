"""Walk the whole URL map of the real app (built-in marketplaces installed): every route
that is not on the documented public list (docs/security.md) refuses a caller without
credentials: the JSON API with a 401, the workspace by sending the browser to sign in
(or refusing a form that did not come from a session). Roles hold on the pages too."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from disputeflow.core.taxonomy import Role
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import tokens
from disputeflow.engine.store.tables import ActionRow
from disputeflow.webhooks.app import create_app
from tests.fakes.marketplace import FakeMarketplace
from tests.webhooks.web.conftest import csrf_of, sign_in

# (method, rule) reachable without a token or a session; each is explained in
# docs/security.md. A new route is refused by this test until it is added here (and there).
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/assets/<name>"),  # Swagger UI's files, from the package
    ("GET", "/static/<path:filename>"),
    ("POST", "/webhooks/<platform>/<connection_id>"),  # signed by the platform
    ("POST", "/webhooks/<platform>/app"),  # signed with the app's secret (Shopify compliance)
    ("GET", "/webhooks/<platform>/<connection_id>"),  # the platform's endpoint check
    ("GET", "/install/shopify"),  # Shopify's HMAC or a signed install link, else 403
    ("GET", "/install/shopify/callback"),  # signed state and Shopify's HMAC
    ("GET", "/install/ebay/<connection_id>"),  # sends the seller to eBay's consent page
    ("GET", "/install/ebay/callback"),  # signed state
    ("POST", "/install/woocommerce/<connection_id>/callback"),  # signed state
    ("GET", "/install/woocommerce/<connection_id>/return"),
    ("GET", "/"),  # redirects to the workspace
    ("GET", "/workspace/sign-in"),
    ("POST", "/workspace/sign-in"),
    ("GET", "/workspace/static/<path:filename>"),
    # Buyer pages: a buyer has no account; a case page needs its unguessable link token
    # (tests/security/test_buyer_links.py), the request form is open by design.
    ("GET", "/buyer/cases/<case_id>/<token>"),
    ("GET", "/buyer/cases/<case_id>/<token>/files/<file_id>"),
    ("POST", "/buyer/cases/<case_id>/<token>/reply"),
    ("GET", "/buyer/request/<connection_id>"),
    ("POST", "/buyer/request/<connection_id>"),
    ("POST", "/buyer/request/<connection_id>/submit"),
    ("GET", "/buyer/static/<path:filename>"),
}
# Public routes every installation has (the buyer pages come with their own feature).
CORE_PUBLIC = {route for route in PUBLIC if not route[1].startswith("/buyer/")}


@pytest.fixture
def fake_plugins(plugin_manager):
    """The built-in marketplaces (their install routes), and the fake one for cases."""
    from disputeflow.plugins.ebay import plugin as ebay
    from disputeflow.plugins.shopify import plugin as shopify
    from disputeflow.plugins.woocommerce import plugin as woocommerce
    from tests.fakes import plugin as fake

    for name, module in (("shopify", shopify), ("woocommerce", woocommerce), ("ebay", ebay),
                         ("fake", fake)):  # fmt: skip
        plugin_manager.register(module, name=name)
    return plugin_manager


@pytest.fixture
def database_url(tmp_path):
    """Access rules are database-neutral."""
    return f"sqlite:///{tmp_path / 'routes.sqlite3'}"


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


def routes(app):
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def url(rule):
    return re.sub(r"<[^>]+>", "x", rule)


def test_the_public_list_names_real_routes(app):
    served = set(routes(app))
    assert served >= CORE_PUBLIC
    assert {route for route in served if route[1].startswith("/api/v1")}  # and an API


def test_every_route_but_the_public_ones_refuses_a_caller_without_credentials(app):
    client = app.test_client()
    checked = []
    for method, rule in routes(app):
        if (method, rule) in PUBLIC:
            continue
        response = client.open(url(rule), method=method, json={})
        where = f"{method} {rule}"
        if rule.startswith("/api/"):
            assert response.status_code == 401, where
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), where
        elif response.status_code == 302:
            assert "/workspace/sign-in" in response.headers["Location"], where
        else:  # a form without a session's form token, or an install needing an admin
            assert response.status_code in (400, 401, 403), (where, response.status_code)
        checked.append(where)
    assert len(checked) >= 20


def test_install_of_a_woocommerce_store_needs_an_admin_token(app):
    response = app.test_client().post(
        "/install/woocommerce", data={"store_url": "https://x.example"}
    )
    assert response.status_code == 401


def test_page_roles_hold_a_viewer_reads_but_cannot_act(app, runtime, make_token):
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    payload = {"id": "r1", "type": "return", "status": "requested", "reason": "changed_mind",
               "amount": "40.00", "currency": "EUR", "opened_at": "2026-11-01T10:00:00Z",
               "updated_at": "2026-11-01T10:00:00Z"}  # fmt: skip
    case_id = ingest_snapshot(runtime.database, runtime.plugins, connection["id"],
                              FakeMarketplace().snapshot(payload)).case.id  # fmt: skip
    viewer = app.test_client()
    assert sign_in(viewer, make_token("viewer")).status_code == 302
    page = viewer.get(f"/workspace/cases/{case_id}")
    assert page.status_code == 200
    form = {"csrf_token": csrf_of(page.text), "type": "approve_return"}
    refused = viewer.post(f"/workspace/cases/{case_id}/actions", data=form)
    assert refused.status_code == 403
    with runtime.database.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(ActionRow)) == 0
    agent = app.test_client()
    assert sign_in(agent, make_token("agent")).status_code == 302
    page = agent.get(f"/workspace/cases/{case_id}")
    form["csrf_token"] = csrf_of(page.text)
    assert agent.post(f"/workspace/cases/{case_id}/actions", data=form).status_code == 302


@pytest.fixture
def make_token(runtime):
    def make(role):
        with runtime.database.session() as session:
            return tokens.create(session, name=f"{role}-person", role=Role(role)).token

    return make
