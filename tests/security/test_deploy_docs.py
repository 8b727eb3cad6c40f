"""docs/deploy.md's proxy lets through what the service itself accepts (issue 16): the
example set ``client_max_body_size 1m`` for every path, so buyers' evidence (5 files of
5 MB) died at the proxy with a 413 the service never saw."""

from __future__ import annotations

import re
from pathlib import Path

from disputeflow.engine.config import DEFAULT_MAX_BODY_BYTES
from disputeflow.features.transparency import files
from disputeflow.webhooks.buyer.blueprint import MAX_BODY_BYTES as BUYER_BODY_BYTES

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _bytes(size):
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()
    return int(number) * UNITS[unit]


def _nginx():
    text = DEPLOY.read_text()
    return re.search(r"```nginx\n(.*?)```", text, re.S).group(1)


def _location_size(config, prefix):
    found = re.search(rf"location {re.escape(prefix)} \{{(.*?)\}}", config, re.S)
    assert found, f"no location {prefix} in docs/deploy.md"
    size = re.search(r"client_max_body_size (\w+);", found.group(1))
    return _bytes(size.group(1)) if size else None


def test_the_proxy_allows_the_buyers_uploads():
    config = _nginx()
    server_wide = _bytes(re.search(r"^\s*client_max_body_size (\w+);", config, re.M).group(1))
    buyer = _location_size(config, "/buyer/") or server_wide
    assert buyer >= BUYER_BODY_BYTES >= files.MAX_FILES * files.MAX_FILE_BYTES
    assert server_wide >= DEFAULT_MAX_BODY_BYTES


def test_the_proxy_passes_the_client_address_and_the_docs_say_how_many_to_trust():
    config = _nginx()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config
    text = DEPLOY.read_text()
    assert "DISPUTEFLOW_TRUSTED_PROXIES=1" in text
    assert "ProxyFix" in text
    assert "--connection-limit=500 --channel-timeout=20" in text
