"""Ids sort by creation time, also when many are made within one millisecond."""

from __future__ import annotations

import threading
from unittest import mock

import pytest

from disputeflow.engine import ids


@pytest.fixture(autouse=True)
def fresh_state():
    """Each test starts as a new process would (no id made yet)."""
    with mock.patch.object(ids, "_last", [0, 0]):
        yield


def test_ids_made_in_one_millisecond_sort_in_the_order_made():
    with mock.patch.object(ids.time, "time_ns", return_value=1_764_000_000_000_000_000):
        made = [ids.new_id("dlv") for _ in range(1000)]
    assert made == sorted(made)
    assert len(set(made)) == 1000
    assert {len(made_id) for made_id in made} == {len("dlv_") + 26}
    assert {made_id[4:14] for made_id in made} == {made[0][4:14]}  # one timestamp


def test_a_clock_going_back_never_makes_an_earlier_id():
    later = 1_764_000_000_500_000_000
    with mock.patch.object(ids.time, "time_ns", return_value=later):
        first = ids.new_id("case")
    with mock.patch.object(ids.time, "time_ns", return_value=later - 10**9):
        second = ids.new_id("case")
    assert second > first


def test_ids_from_many_threads_are_unique():
    made: list[str] = []

    def make() -> None:
        made.extend(ids.new_id("x") for _ in range(2000))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 16000


def test_the_time_part_is_the_millisecond_in_crockford_base32():
    with mock.patch.object(ids.time, "time_ns", return_value=(32**3 + 31) * 1_000_000):
        made = ids.new_id("a")
    assert made[2:12] == "000000100Z"
