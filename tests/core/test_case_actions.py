"""``Marketplace.case_actions``: a platform narrows, per case, what the flow would allow
(PayPal offers each dispute's actions in its links); it can never widen it."""

from __future__ import annotations

from disputeflow import ActionType
from disputeflow.core.testing import minimal_case
from tests.fakes.marketplace import FakeMarketplace


def test_the_default_keeps_every_allowed_action(runtime):
    case = runtime.fill_allowed_actions(minimal_case("fake", "chargeback"))
    assert case.allowed_actions == ["accept", "contest", "add_note"]
    assert FakeMarketplace().case_actions(case, [ActionType.ACCEPT]) == [ActionType.ACCEPT]


def test_a_marketplace_narrows_but_never_widens_and_notes_stay(runtime, monkeypatch):
    fake = runtime.plugins.marketplaces()["fake"]
    seen = []

    def only_contest_and_a_refund(case, actions):
        seen.append(list(actions))
        return [ActionType.CONTEST, ActionType.REFUND]  # refund is not allowed on a chargeback

    monkeypatch.setattr(fake, "case_actions", only_contest_and_a_refund)
    case = runtime.fill_allowed_actions(minimal_case("fake", "chargeback"))
    assert case.allowed_actions == ["contest", "add_note"]
    assert seen == [["accept", "contest", "add_note"]]
