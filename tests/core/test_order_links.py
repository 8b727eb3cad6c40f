"""One order, one story: cases of one order on two connections are linked by the identifiers
their orders carry, refunds on one show on the other, and nobody (a person or a rule) can
give back more than the order's total across them. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from disputeflow import Money, Order
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError, NotFoundError
from disputeflow.core.taxonomy import ActionType, TimelineKind
from disputeflow.engine import case_links, order_total
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.outbox import ActionInput, check_action, request_action
from disputeflow.engine.store import cases, connections, links
from disputeflow.engine.store.links import CaseLinkRow
from disputeflow.features.handling.automation import evaluate_case
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot

EUR = "EUR"


@pytest.fixture
def shop(runtime):
    """The store's connection (its returns)."""
    return runtime.add_connection("fake", "store", {"signing_secret": "a", "shop": "store"})["id"]


@pytest.fixture
def payments(runtime):
    """A payment provider's connection (its disputes)."""
    return runtime.add_connection("fake", "pay", {"signing_secret": "b", "shop": "pay"})["id"]


def order(*references, total="40.00", external_id="o-1"):
    return Order(external_id=external_id, total=Money(total, EUR), references=references)


def a_return(external_id="r1", *, hours=0, refs=(("order_number", "1001"),), **fields):
    fields.setdefault("order", order(*refs))
    return snapshot(
        external_id, hours=hours, kind="return", object_type="return",
        category="changed_mind", amount=Money("40.00", EUR), **fields,
    )  # fmt: skip


def a_dispute(external_id="d1", *, hours=0, refs=(("order_number", "1001"),), **fields):
    fields.setdefault("order", order(*refs, external_id=f"pay-{external_id}"))
    fields.setdefault("amount", Money("40.00", EUR))
    return snapshot(external_id, hours=hours, **fields)


def ingest(runtime, connection_id, snap, **options):
    result = ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap, **options)
    return result.case.id


def load(runtime, case_id):
    with runtime.database.session() as session:
        return runtime.fill_allowed_actions(cases.get(session, case_id))


def entries(runtime, case_id, kind):
    return [e for e in load(runtime, case_id).timeline if e.kind == kind]


def linked_ids(runtime, case_id):
    return [link.case_id for link in load(runtime, case_id).links]


# -- linking ---------------------------------------------------------------------------


def test_cases_of_one_order_on_two_connections_are_linked_both_ways(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute())
    assert linked_ids(runtime, ret) == [dispute]
    assert linked_ids(runtime, dispute) == [ret]
    [link] = load(runtime, dispute).links
    assert (link.reason, link.by) == ("order_number 1001 matches", None)
    for case_id, other in ((ret, dispute), (dispute, ret)):
        [entry] = entries(runtime, case_id, TimelineKind.LINKED)
        assert entry.actor == "system"
        assert entry.data == {"case_id": other, "reason": "order_number 1001 matches", "by": None}
        assert other in entry.summary


def test_other_identifiers_or_kinds_do_not_link(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    ingest(runtime, payments, a_dispute("d1", refs=(("order_number", "1002"),)))
    ingest(runtime, payments, a_dispute("d2", refs=(("invoice_id", "1001"),)))  # another kind
    ingest(runtime, shop, a_return("r2"))  # the same connection: its order refunds already
    assert linked_ids(runtime, ret) == []


def test_an_identifier_that_appears_later_links_then(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute(refs=()))
    assert linked_ids(runtime, dispute) == []
    ingest(
        runtime,
        payments,
        a_dispute(hours=1, refs=(("transaction_id", "x"), ("order_number", "1001"))),
    )
    assert linked_ids(runtime, dispute) == [ret]


def test_a_late_snapshot_keeps_the_links(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return(hours=2))
    dispute = ingest(runtime, payments, a_dispute(hours=2))
    ingest(runtime, payments, a_dispute(hours=1, status="under_review"))  # older: a refold
    assert linked_ids(runtime, dispute) == [ret]
    assert len(entries(runtime, dispute, TimelineKind.LINKED)) == 1


def test_an_agent_unlinks_and_no_match_links_them_again(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute())
    case_links.unlink(runtime, dispute, ret, by="ana", reason="two stores share numbers")
    assert linked_ids(runtime, dispute) == linked_ids(runtime, ret) == []
    for case_id in (ret, dispute):
        [entry] = entries(runtime, case_id, TimelineKind.UNLINKED)
        assert entry.summary.endswith("by ana: two stores share numbers")
        assert entry.actor == "merchant"
    ingest(runtime, payments, a_dispute(hours=1, refs=(("order_number", "1001"), ("x", "y"))))
    ingest(runtime, shop, a_return(hours=1, refs=(("order_number", "1001"), ("x", "z"))))
    assert linked_ids(runtime, dispute) == []
    with pytest.raises(NotFoundError):
        case_links.unlink(runtime, dispute, ret, by="ana", reason="again")


def test_an_agent_links_by_hand_with_a_reason_on_both_timelines(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return(refs=()))
    dispute = ingest(runtime, payments, a_dispute(refs=()))
    link, created = case_links.link(runtime, ret, dispute, by="ana", reason="same parcel")
    assert created
    assert (link.case_id, link.by, link.reason) == (dispute, "ana", "linked by ana: same parcel")
    assert linked_ids(runtime, dispute) == [ret]
    for case_id in (ret, dispute):
        [entry] = entries(runtime, case_id, TimelineKind.LINKED)
        assert (entry.actor, entry.data["by"]) == ("merchant", "ana")
        assert entry.summary.endswith("linked by ana: same parcel")
    again, created = case_links.link(runtime, dispute, ret, by="bo", reason="dup")
    assert not created
    assert again.reason == "linked by ana: same parcel"
    with runtime.database.session() as session:
        rows = session.scalars(select(CaseLinkRow)).all()
    assert sorted((r.case_id, r.other_case_id) for r in rows) == sorted(
        [(ret, dispute), (dispute, ret)]
    )


@pytest.mark.parametrize(
    ("other", "reason", "error"),
    [
        ("self", "x", InvalidInputError),
        ("case_nope", "x", NotFoundError),
        ("d", " ", InvalidInputError),
    ],
)
def test_linking_refuses_itself_unknown_cases_and_no_reason(
    runtime, shop, payments, other, reason, error
):
    ret = ingest(runtime, shop, a_return(refs=()))
    dispute = ingest(runtime, payments, a_dispute(refs=()))
    target = {"self": ret, "d": dispute}.get(other, other)
    with pytest.raises(error):
        case_links.link(runtime, ret, target, by="ana", reason=reason)
    assert linked_ids(runtime, ret) == []


def test_the_order_filter_finds_every_channel_and_hand_made_links(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute())
    loose = ingest(runtime, payments, a_dispute("d9", refs=()))
    other = ingest(runtime, shop, a_return("r9", refs=(("order_number", "2002"),)))
    case_links.link(runtime, ret, loose, by="ana", reason="the buyer wrote twice")

    def found(value):
        with runtime.database.session() as session:
            rows, _ = cases.list_rows(session, cases.CaseFilter(order=value))
        return sorted(row.id for row in rows)

    assert found("1001") == found("#1001") == sorted([ret, dispute, loose])
    assert found("pay-d1") == sorted([dispute, ret])  # the order's own id, and its link
    assert found("2002") == [other]
    assert found("3003") == []


# -- refunds across channels -----------------------------------------------------------


def test_a_refund_on_one_channel_shows_on_the_linked_case_once(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute())
    ingest(runtime, shop, a_return(hours=1, refunded=Money("10.00", EUR)))
    ingest(runtime, shop, a_return(hours=1, refunded=Money("10.00", EUR)))  # a duplicate
    ingest(runtime, shop, a_return(hours=2, refunded=Money("25.00", EUR), status="resolved"))
    shown = entries(runtime, dispute, TimelineKind.LINKED_REFUND)
    assert [e.data for e in shown] == [
        {"case_id": ret, "refunded": {"value": "10.00", "currency": EUR}},
        {"case_id": ret, "refunded": {"value": "25.00", "currency": EUR}},
    ]
    assert "has refunded 25.00 EUR of the order" in shown[-1].summary
    assert entries(runtime, ret, TimelineKind.LINKED_REFUND) == []  # the dispute refunded nothing


def test_a_refund_made_before_the_link_shows_when_the_cases_are_linked(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return(refunded=Money("15.00", EUR)))
    dispute = ingest(runtime, payments, a_dispute())
    [shown] = entries(runtime, dispute, TimelineKind.LINKED_REFUND)
    assert shown.data == {"case_id": ret, "refunded": {"value": "15.00", "currency": EUR}}


def accept(**options):
    return ActionInput(ActionType.ACCEPT, rationale="not worth fighting", **options)


def refund(value, **options):
    return ActionInput(ActionType.REFUND, amount=Money(value, EUR), message="sorry", **options)


def test_an_accept_past_the_orders_total_is_refused_before_anything_is_queued(
    runtime, shop, payments
):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute())
    ingest(runtime, shop, a_return(hours=1, refunded=Money("10.00", EUR)))
    with pytest.raises(ActionNotAllowedError, match=r"at most 30.00 EUR") as refused:
        request_action(runtime, dispute, accept())
    assert refused.value.status == 409
    assert refused.value.errors == {
        "amount": ["exceeds what is left of the order's total (30.00 EUR)"]
    }
    with pytest.raises(ActionNotAllowedError):
        check_action(runtime, dispute, accept())  # the rules' dry runs see the same
    assert [a.kind for a in load(runtime, dispute).timeline].count("action_requested") == 0
    action, _ = request_action(runtime, ret, refund("30.00"))  # the rest, on the store
    assert action["status"] == "pending"
    with pytest.raises(ActionNotAllowedError, match=r"given back or queued 40.00 EUR"):
        request_action(runtime, dispute, accept(amount=Money("0.01", EUR)))


def test_a_queued_accept_counts_against_a_refund_on_the_other_channel(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    dispute = ingest(runtime, payments, a_dispute(amount=Money("25.00", EUR)))
    request_action(runtime, dispute, accept())  # 25.00 will go back to the buyer
    with pytest.raises(ActionNotAllowedError, match=r"at most 15.00 EUR"):
        request_action(runtime, ret, refund("15.01"))
    request_action(runtime, ret, refund("15.00"))
    with runtime.database.session() as session:
        room = order_total.order_room(session, load(runtime, ret))
    assert (room.total, room.used, room.left) == (
        Money("40.00", EUR),
        Money("40.00", EUR),
        Money("0.00", EUR),
    )


def test_a_lost_dispute_counts_its_whole_amount(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return())
    ingest(
        runtime,
        payments,
        a_dispute(amount=Money("30.00", EUR), status="resolved", outcome="buyer_favor"),
    )
    with pytest.raises(ActionNotAllowedError, match=r"at most 10.00 EUR"):
        request_action(runtime, ret, refund("10.50"))


def test_cases_of_one_connection_count_the_orders_refunds_once(runtime, shop, payments):
    dispute = ingest(runtime, payments, a_dispute())
    for name in ("r1", "r2"):  # two returns of one order see the same order refund
        ingest(runtime, shop, a_return(name, refunded=Money("10.00", EUR)))
    assert len(linked_ids(runtime, dispute)) == 2
    request_action(runtime, dispute, accept(amount=Money("30.00", EUR)))


def test_a_rule_is_refused_like_a_person(runtime, shop, payments):
    runtime.rules = parse_rules(
        '[[automation]]\nname = "accept-all"\naction = "accept"\n'
        'when = { kind = "chargeback" }\nrationale = "We accept every dispute."\n',
        source="test.toml",
    )
    ingest(runtime, shop, a_return(refunded=Money("40.00", EUR)))
    dispute = ingest(runtime, payments, a_dispute())
    assert evaluate_case(runtime, dispute, now=T0) == {"accept-all": "refused"}
    [entry] = entries(runtime, dispute, TimelineKind.RULE_APPLIED)
    assert "at most 0.00 EUR" in entry.summary
    assert entries(runtime, dispute, TimelineKind.ACTION_REQUESTED) == []


def test_unlinked_cases_are_limited_by_their_own_amount_only(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return(refunded=Money("40.00", EUR)))
    dispute = ingest(runtime, payments, a_dispute())
    case_links.unlink(runtime, dispute, ret, by="ana", reason="another store's order")
    action, created = request_action(runtime, dispute, accept())
    assert created
    assert action["type"] == "accept"


def test_a_linked_case_gone_with_its_connection_leaves_the_other_working(runtime, shop, payments):
    ret = ingest(runtime, shop, a_return(refunded=Money("40.00", EUR)))
    dispute = ingest(runtime, payments, a_dispute())
    with runtime.database.session() as session:
        connections.delete(session, shop)
    ingest(runtime, payments, a_dispute(hours=1, refunded=Money("5.00", EUR)))  # no one to tell
    assert linked_ids(runtime, dispute) == [ret]  # shown as no longer stored
    request_action(runtime, dispute, accept(amount=Money("35.00", EUR)))  # only its own limit
    case_links.unlink(runtime, dispute, ret, by="ana", reason="the store was removed")
    assert linked_ids(runtime, dispute) == []
    [entry] = entries(runtime, dispute, TimelineKind.UNLINKED)
    assert entry.summary == f"unlinked from {ret} by ana: the store was removed"


def test_two_workers_ingesting_one_orders_cases_at_once_still_link(
    runtime, shop, payments, monkeypatch
):
    if runtime.database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    matched, go = threading.Event(), threading.Event()
    real = links.matching

    def held(session, case):  # the store's worker holds its transaction open after matching
        found = real(session, case)
        if case.connection_id == shop:
            matched.set()
            go.wait(10)
        return found

    monkeypatch.setattr(links, "matching", held)
    errors = []

    def work(connection_id, snap):
        try:
            ingest(runtime, connection_id, snap)
        except Exception as error:  # surfaced below
            errors.append(error)

    first = threading.Thread(target=work, args=(shop, a_return()))
    first.start()
    assert matched.wait(10)
    second = threading.Thread(target=work, args=(payments, a_dispute()))
    second.start()
    time.sleep(0.5)  # without the lock, the payments worker commits now, seeing nothing
    go.set()
    first.join(10)
    second.join(10)
    assert errors == []
    with runtime.database.session() as session:
        rows = session.scalars(select(CaseLinkRow)).all()
    assert len(rows) == 2  # linked both ways
