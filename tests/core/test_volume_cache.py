"""``DailyVolumes``: a plugin's order counts kept for the UTC day, failures never raised."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from disputeflow import Connection, DailyVolumes, MarketplaceError

NOW = datetime(2026, 12, 4, 23, 50, tzinfo=UTC)
CONNECTION = Connection("con_1", "fake", "one", {}, NOW)
OTHER = Connection("con_2", "fake", "two", {}, NOW)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


class Platform:
    """Answers ``counts`` in turn (an exception is raised) and records each question."""

    def __init__(self, *counts):
        self.counts = list(counts)
        self.asked = []

    def __call__(self, start, end):
        self.asked.append((start, end))
        answer = self.counts.pop(0) if len(self.counts) > 1 else self.counts[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def clock():
    return [NOW]


@pytest.fixture
def volumes(clock):
    return DailyVolumes(clock=lambda: clock[0])


def test_a_period_is_asked_once_a_day(volumes, clock):
    platform = Platform(40, 41)
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 40
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 40
    assert volumes.count(OTHER, *NOVEMBER, platform) == 41, "per connection"
    assert len(platform.asked) == 2
    clock[0] = NOW + timedelta(minutes=20)  # past midnight UTC
    platform.counts = [45]
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 45


def test_today_is_counted_up_to_the_first_question(volumes, clock):
    platform = Platform(7, 9)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    assert volumes.count(CONNECTION, start, NOW, platform) == 7
    assert platform.asked == [(start, NOW)], "asked for the period as given"
    clock[0] = NOW + timedelta(minutes=5)
    assert volumes.count(CONNECTION, start, clock[0], platform) == 7
    assert volumes.count(CONNECTION, start, datetime(2026, 12, 4, tzinfo=UTC), platform) == 9
    assert len(platform.asked) == 2, "a period ending at midnight is a period of its own"


def test_an_unknown_answer_is_not_kept(volumes):
    platform = Platform(None, 12)
    assert volumes.count(CONNECTION, *NOVEMBER, platform) is None
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 12


def test_a_failure_is_none_logged_and_pauses_the_connection(volumes, clock, caplog):
    platform = Platform(MarketplaceError("GET /orders: HTTP 503: down", transient=True), 30)
    with caplog.at_level(logging.WARNING, logger="disputeflow.engine.volume"):
        assert volumes.count(CONNECTION, *NOVEMBER, platform) is None
    assert "fake connection con_1 unknown: GET /orders: HTTP 503: down" in caplog.text
    assert volumes.count(CONNECTION, NOVEMBER[0], NOVEMBER[0] + timedelta(days=1),
                         platform) is None  # fmt: skip
    assert volumes.count(OTHER, *NOVEMBER, platform) == 30, "other connections are asked"
    assert len(platform.asked) == 2
    clock[0] = NOW + timedelta(minutes=9)
    assert volumes.count(CONNECTION, *NOVEMBER, platform) is None
    assert len(platform.asked) == 2, "paused for ten minutes"
    clock[0] = NOW + timedelta(minutes=11)  # a new day too: the pause is forgotten anyway
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 30


def test_a_plugin_bug_never_reaches_the_page(volumes, caplog):
    platform = Platform(KeyError("count"))
    with caplog.at_level(logging.ERROR, logger="disputeflow.engine.volume"):
        assert volumes.count(CONNECTION, *NOVEMBER, platform) is None
    assert "order volume of fake connection con_1 failed" in caplog.text
    assert "KeyError" in caplog.text


def test_clear_forgets(volumes):
    platform = Platform(1, 2)
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 1
    volumes.clear()
    assert volumes.count(CONNECTION, *NOVEMBER, platform) == 2
