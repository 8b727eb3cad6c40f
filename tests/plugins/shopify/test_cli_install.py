"""``disputeflow connections install-link`` and a connection's state in ``connections
show``: what a merchant reads to fix a connection that waits for them."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from disputeflow.core.taxonomy import ConnectionState
from disputeflow.engine import install_links
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.features.transparency.links import LinkError
from tests.plugins.shopify.conftest import SECRET, SHOP


def test_install_link_is_signed_for_that_shop_and_expires(invoke, tmp_path, fake_plugins):
    result = invoke("connections", "install-link", "shopify", "--shop", SHOP, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    url = urlparse(answer["url"])
    assert (url.netloc, url.path) == ("127.0.0.1:8000", "/install/shopify")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["shop"] == SHOP
    runtime = Runtime.create(Settings.from_env(), plugins=fake_plugins)
    expires = install_links.check(runtime.secrets, "shopify", SHOP, query["link"])
    assert expires.isoformat().replace("+00:00", "Z") == answer["expires_at"]
    with pytest.raises(LinkError):
        install_links.check(runtime.secrets, "shopify", "other.myshopify.com", query["link"])


def test_install_link_refuses_a_shop_that_is_not_myshopify(invoke):
    result = invoke("connections", "install-link", "shopify", "--shop", "evil.example.com")
    assert result.exit_code == 1
    assert "myshopify.com" in result.output


def test_connections_show_says_why_and_how_to_fix(invoke, fake_plugins):
    added = json.loads(
        invoke(
            "connections", "add", "shopify", "--name", "eu", "--set", f"shop_domain={SHOP}",
            "--set", f"client_secret={SECRET}", "--json",
        ).output
    )  # fmt: skip
    runtime = Runtime.create(Settings.from_env(), plugins=fake_plugins)
    runtime.set_connection_state(added["id"], ConnectionState.NEEDS_REAUTH, "refresh refused")
    shown = invoke("connections", "show", added["id"]).output
    assert "state: needs_reauth" in shown
    assert "why: refresh refused" in shown
    assert f"http://127.0.0.1:8000/install/shopify?shop={SHOP}&link=" in shown
    listed = invoke("connections", "list").output
    assert "[needs_reauth]" in listed
