"""The store's policy (from the marketplace, else the settings) against each buyer's law:
the issue's "done when" returns, the flag on the case and on the connection."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import pytest

from disputeflow import Capabilities, MarketplaceError, ReturnPolicy
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.engine.store import connections
from disputeflow.features.handling.policies import REFRESH_EVERY, refresh_policies, rights_report
from disputeflow.features.handling.rights import StorePolicy, rights_for
from tests.builders import T0
from tests.core.handling.conftest import a_return, ingest
from tests.fakes.marketplace import FakeMarketplace


def policy_of(case):
    return case.extra["policy"]


def test_a_german_buyer_under_a_7_day_policy_gets_14_days_and_the_flag(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r-de", country="DE"))
    policy = policy_of(case)
    assert policy["jurisdiction"] == "DE"
    assert (policy["store_window_days"], policy["statutory_window_days"]) == (7, 14)
    assert policy["effective_window_days"] == 14
    assert policy["below_statutory"] is True
    assert (policy["within_window"], policy["days_elapsed"], policy["clock_basis"]) == (
        True,
        3,
        "order",
    )
    assert policy["store_policy_source"] == "connection setting return_window_days"
    [flag] = [e for e in case.timeline if e.kind == "policy_flagged"]
    assert flag.actor == "system"
    assert flag.summary.startswith(
        "store policy of 7 days is below the statutory 14 days in DE: the buyer gets 14 days"
    )


def test_a_us_buyer_gets_the_stores_7_days(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r-us", country="US"))
    policy = policy_of(case)
    assert (policy["statutory_window_days"], policy["effective_window_days"]) == (None, 7)
    assert policy["below_statutory"] is False
    assert [e for e in case.timeline if e.kind == "policy_flagged"] == []


def test_a_chinese_buyer_gets_7_days_with_its_source(runtime, connection_id):
    case = ingest(runtime, connection_id, a_return("r-cn", country="CN"))
    policy = policy_of(case)
    assert (policy["statutory_window_days"], policy["effective_window_days"]) == (7, 7)
    assert policy["below_statutory"] is False
    assert policy["law"].startswith("Consumer Rights Protection Law, Article 25")
    assert policy["sources"] == list(rights_for("CN").sources)


def test_the_flag_is_raised_once_per_case(runtime, connection_id):
    ingest(runtime, connection_id, a_return("r1", country="FR"))
    again = ingest(
        runtime, connection_id, a_return("r1", country="FR", hours=1, status="awaiting_buyer")
    )
    assert [e.kind for e in again.timeline].count("policy_flagged") == 1


def test_only_returns_carry_a_policy(runtime, connection_id):
    from tests.builders import snapshot

    assert "policy" not in ingest(runtime, connection_id, snapshot("cb")).extra


def test_the_connection_shows_where_its_policy_falls_short(runtime, connection_id, make_connection):
    with runtime.database.session() as session:
        shown = runtime.describe_connection(connections.get_row(session, connection_id))
    assert shown["policy"]["store_window_days"] == 7
    assert shown["policy"]["source"] == "connection setting return_window_days"
    assert "DE" in shown["policy"]["below_statutory_in"]
    assert "US" not in shown["policy"]["below_statutory_in"]
    generous = make_connection("generous", return_window_days=30)
    with runtime.database.session() as session:
        shown = runtime.describe_connection(connections.get_row(session, generous))
    assert shown["policy"]["below_statutory_in"] == []
    unstated = make_connection("unstated")
    with runtime.database.session() as session:
        shown = runtime.describe_connection(connections.get_row(session, unstated))
    assert shown["policy"]["store_window_days"] is None


def test_a_changed_setting_changes_the_evaluation(runtime, connection_id):
    runtime.update_connection_settings(connection_id, {"return_window_days": 30})
    case = ingest(runtime, connection_id, a_return("r1", country="DE"))
    assert (policy_of(case)["effective_window_days"], policy_of(case)["below_statutory"]) == (
        30,
        False,
    )


class PolicyMarketplace(FakeMarketplace):
    """The fake platform, stating a return policy of its own."""

    capabilities = Capabilities.build(
        {"return": ["approve_return", "decline_return", "refund"]}, return_policy=True
    )
    answers: ClassVar[list] = []

    def return_policy(self, connection):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def stated(runtime, monkeypatch):
    monkeypatch.setattr("tests.fakes.plugin.FakeMarketplace", PolicyMarketplace)
    runtime.plugins.unregister(name="fake")
    from tests.fakes import plugin as fake_plugin

    runtime.plugins.register(fake_plugin, name="fake")
    PolicyMarketplace.answers = []
    return PolicyMarketplace.answers


def test_the_marketplaces_policy_is_read_by_the_worker_and_wins(runtime, connection_id, stated):
    stated.append(ReturnPolicy(window_days=10, source="shop settings"))
    assert refresh_policies(runtime, now=T0) == 1
    assert refresh_policies(runtime, now=T0 + timedelta(hours=1)) == 0  # read once a day
    case = ingest(runtime, connection_id, a_return("r1", country="DE"))
    policy = policy_of(case)
    assert (policy["store_window_days"], policy["store_policy_source"]) == (
        10,
        "fake: shop settings",
    )
    stated.append(MarketplaceError("shop unreachable"))
    assert refresh_policies(runtime, now=T0 + REFRESH_EVERY + timedelta(minutes=1)) == 1
    with runtime.database.session() as session:
        shown = runtime.describe_connection(connections.get_row(session, connection_id))
    assert shown["policy"]["error"] == "shop unreachable"
    assert shown["policy"]["store_window_days"] == 7  # the setting, while the shop is away


def test_rights_report_for_the_api_and_the_cli():
    report = rights_report("de", store=StorePolicy(7, "settings"), connection_id="con_1")
    assert report["country"] == "DE"
    assert report["statutory"]["withdrawal_days"] == 14
    assert report["store_policy"] == {
        "window_days": 7,
        "source": "settings",
        "checked_at": None,
        "error": None,
        "connection_id": "con_1",
    }
    assert report["effective"]["effective_window_days"] == 14
    assert rights_report("US")["store_policy"] is None
    with pytest.raises(NotFoundError, match="no statutory rights data for ZZ"):
        rights_report("ZZ")
    with pytest.raises(InvalidInputError):
        rights_report("DEU")
