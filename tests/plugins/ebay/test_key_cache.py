"""KeyCache: eBay's public keys cached for an hour, unknown key ids remembered for ten
minutes, at most three lookups per connection and minute. Each test is aimed at a mutant
that survived ``make mutate`` (docs/testing.md). eBay asks subscribers to cache the key
(https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey,
checked 2026-12-04: "the public key should be cached"); the key objects here are stand-ins,
nothing is verified with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from disputeflow.plugins.ebay.errors import KeyLookupsThrottled, SignatureMismatch
from disputeflow.plugins.ebay.signatures import (
    KEY_TTL,
    LOOKUPS_PER_MINUTE,
    UNKNOWN_KID_TTL,
    KeyCache,
)

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
THROTTLED = "^too many eBay key lookups for this connection: retry later$"  # the 429's message


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


class Fetch:
    """Counts its calls; answers ``key`` or raises SignatureMismatch (eBay's 404)."""

    def __init__(self, key="key-1"):
        self.key, self.calls = key, 0

    def __call__(self):
        self.calls += 1
        if self.key is None:
            raise SignatureMismatch("eBay has no such key")
        return self.key


def test_a_key_is_cached_until_its_ttl_then_fetched_again():
    clock, fetch = Clock(), Fetch()
    cache = KeyCache(clock)
    assert cache.get("prod", "kid", fetch, "c1") == "key-1"
    clock.now = START + KEY_TTL - timedelta(seconds=1)
    assert cache.get("prod", "kid", fetch, "c1") == "key-1"
    assert fetch.calls == 1
    clock.now = START + KEY_TTL  # expired at exactly its TTL
    cache.get("prod", "kid", fetch, "c1")
    assert fetch.calls == 2


def test_an_unknown_kid_is_remembered_for_its_ttl_without_asking_ebay():
    clock, missing = Clock(), Fetch(None)
    cache = KeyCache(clock)
    with pytest.raises(SignatureMismatch):
        cache.get("prod", "gone", missing, "c1")
    clock.now = START + UNKNOWN_KID_TTL - timedelta(seconds=1)
    with pytest.raises(SignatureMismatch, match="'gone' \\(checked recently\\)"):
        cache.get("prod", "gone", missing, "c1")
    assert missing.calls == 1
    clock.now = START + UNKNOWN_KID_TTL
    with pytest.raises(SignatureMismatch, match="no such key"):
        cache.get("prod", "gone", missing, "c1")
    assert missing.calls == 2


def test_an_unknown_kid_does_not_hide_another_kid():
    clock = Clock()
    cache = KeyCache(clock)
    with pytest.raises(SignatureMismatch):
        cache.get("prod", "gone", Fetch(None), "c1")
    assert cache.get("prod", "other", Fetch("key-2"), "c1") == "key-2"


def test_each_connection_has_its_own_budget_of_lookups():
    clock = Clock()
    cache = KeyCache(clock)
    for number in range(LOOKUPS_PER_MINUTE):
        cache.get("prod", f"kid-{number}", Fetch(), "c1")
    with pytest.raises(KeyLookupsThrottled, match=THROTTLED):
        cache.get("prod", "kid-x", Fetch(), "c1")
    assert cache.get("prod", "kid-x", Fetch("key-c2"), "c2") == "key-c2"


def test_the_budget_comes_back_one_minute_after_each_lookup():
    clock = Clock()
    cache = KeyCache(clock)
    for number in range(LOOKUPS_PER_MINUTE):
        cache.get("prod", f"kid-{number}", Fetch(), "c1")
    clock.now = START + timedelta(seconds=59)
    with pytest.raises(KeyLookupsThrottled):
        cache.get("prod", "kid-x", Fetch(), "c1")
    clock.now = START + timedelta(minutes=1)  # exactly a minute later: spent lookups expire
    assert cache.get("prod", "kid-x", Fetch("key-x"), "c1") == "key-x"
