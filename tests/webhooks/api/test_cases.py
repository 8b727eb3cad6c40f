"""``/api/v1/cases``: filters, both sort orders with cursors, detail and timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputeflow import Deadline, Evidence, Message, Order, Party
from disputeflow.core.clock import to_rfc3339
from tests.builders import T0, snapshot


def due(days):
    return (Deadline("platform_response", T0 + timedelta(days=days), "fake"),)


def get(client, headers, **params):
    response = client.get("/api/v1/cases", headers=headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(page):
    return [item["external_id"] for item in page["items"]]


@pytest.fixture
def mixed(add_case, runtime):
    """Five cases of different kinds, statuses, categories and connections."""
    other = runtime.add_connection("fake", "us", {"signing_secret": "s2", "shop": "us-shop"})
    add_case(
        snapshot(
            "c1", hours=1, deadlines=due(5),
            order=Order(external_id="o-77", name="#1001"),
            buyer=Party(name="Ada Lovelace", email="ada@example.org", country="GB"),
        )
    )  # fmt: skip
    add_case(snapshot("c2", hours=2, status="under_review", category="not_received"))
    add_case(
        snapshot("r3", hours=3, kind="return", object_type="return", category="changed_mind",
                 deadlines=due(2))
    )  # fmt: skip
    add_case(snapshot("c4", hours=4, status="resolved", outcome="merchant_favor"))
    add_case(snapshot("c5", hours=5, deadlines=due(9)), connection_id=other["id"])
    return other


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["c5", "c4", "r3", "c2", "c1"]),
        ({"kind": "return"}, ["r3"]),
        ({"kind": "chargeback", "status": "needs_response"}, ["c5", "c1"]),
        ({"status": "resolved"}, ["c4"]),
        ({"category": "not_received"}, ["c2"]),
        ({"category": "fraud", "status": "under_review"}, []),
        ({"platform": "fake"}, ["c5", "c4", "r3", "c2", "c1"]),
        ({"platform": "ebay"}, []),
        ({"due_before": to_rfc3339(T0 + timedelta(days=6))}, ["r3", "c1"]),
        ({"due_before": "2026-11-03T12:00:00+00:00"}, []),
        ({"q": "#1001"}, ["c1"]),
        ({"q": "ADA@example"}, ["c1"]),
        ({"q": "c4"}, ["c4"]),
        ({"q": "nobody"}, []),
    ],
)
def test_filters(client, viewer, mixed, params, expected):
    assert ids(get(client, viewer, **params)) == expected


def test_connection_filter(client, viewer, mixed, connection):
    assert ids(get(client, viewer, connection_id=mixed["id"])) == ["c5"]
    assert ids(get(client, viewer, connection_id=connection["id"])) == ["c4", "r3", "c2", "c1"]


def test_urgent_puts_the_nearest_deadline_first_and_none_last(client, viewer, mixed):
    page = get(client, viewer, sort="urgent")
    assert ids(page)[:3] == ["r3", "c1", "c5"]
    assert sorted(ids(page)[3:]) == ["c2", "c4"]
    assert [item["due_at"] for item in page["items"][3:]] == [None, None]


def test_list_items_are_summaries_with_allowed_actions(client, viewer, mixed):
    page = get(client, viewer, q="c1")
    assert page["next_cursor"] is None
    (item,) = page["items"]
    assert item["allowed_actions"] == ["accept", "contest", "add_note"]
    assert item["amount"] == {"value": "12.50", "currency": "EUR"}
    assert item["order"]["name"] == "#1001"
    assert item["deadlines"][0]["due_at"] == to_rfc3339(T0 + timedelta(days=5))
    assert "timeline" not in item
    assert "evidence" not in item


@pytest.fixture
def many(add_case):
    """Seventeen cases: updated_at and due_at tie in groups, some have no deadline (under
    review: a chargeback that needs a response always has one, the network's at least)."""
    for number in range(17):
        deadlines = () if number % 5 == 0 else due(number % 4 + 1)
        status = "under_review" if number % 5 == 0 else "needs_response"
        add_case(snapshot(f"m{number:02}", hours=number // 3, deadlines=deadlines, status=status))


def walk(client, headers, **params):
    pages, cursor = [], None
    while True:
        page = get(client, headers, limit=4, **params, **({"cursor": cursor} if cursor else {}))
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("sort", ["newest", "urgent"])
def test_cursor_walks_every_page_once(client, viewer, many, sort):
    pages = walk(client, viewer, sort=sort)
    items = [item for page in pages for item in page]
    assert [len(page) for page in pages] == [4, 4, 4, 4, 1]
    assert len({item["id"] for item in items}) == 17
    if sort == "newest":
        keys = [(item["updated_at"], item["id"]) for item in items]
        assert keys == sorted(keys, reverse=True)
    else:
        keys = [(item["due_at"] is None, item["due_at"] or "", item["id"]) for item in items]
        assert keys == sorted(keys)
        assert sum(item["due_at"] is None for item in items) == 4


def test_cursor_keeps_the_filters(client, viewer, many):
    pages = walk(client, viewer, sort="urgent", due_before=to_rfc3339(T0 + timedelta(days=3)))
    items = [item for page in pages for item in page]
    assert len(items) == len({item["id"] for item in items}) == 7  # due in 1 or 2 days
    assert all(item["due_at"] < to_rfc3339(T0 + timedelta(days=3)) for item in items)


def test_a_cursor_of_one_sort_is_refused_by_the_other(client, viewer, many):
    cursor = get(client, viewer, limit=2)["next_cursor"]
    response = client.get(f"/api/v1/cases?sort=urgent&cursor={cursor}", headers=viewer)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"cursor": ["invalid"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bogus", "status"),
        ("kind=refund", "kind"),
        ("category=angry", "category"),
        ("sort=oldest", "sort"),
        ("limit=201", "limit"),
        ("limit=100000", "limit"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("due_before=tomorrow", "due_before"),
        ("cursor=not-a-cursor", "cursor"),
        ("colour=red", "colour"),
    ],
)
def test_bad_query_is_422_in_the_common_shape(client, viewer, query, field):
    response = client.get(f"/api/v1/cases?{query}", headers=viewer)
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == "invalid_input"
    assert body["status"] == 422
    assert list(body["errors"]) == [field]
    assert isinstance(body["errors"][field], list)
    assert field in body["message"]


@pytest.fixture
def detailed(add_case):
    evidence = Evidence("ev1", "merchant", "tracking", T0, description="DHL 123")
    message = Message("msg1", "buyer", "Where is my parcel?", T0 + timedelta(minutes=5))
    add_case(snapshot("d1", deadlines=due(7), evidence=(evidence,), messages=(message,)))
    return add_case(snapshot("d1", hours=1, status="under_review", deadlines=due(7)))


def test_detail_has_timeline_evidence_deadlines_and_allowed_actions(client, viewer, detailed):
    response = client.get(f"/api/v1/cases/{detailed}", headers=viewer)
    assert response.status_code == 200
    case = response.get_json()
    assert case["id"] == detailed
    assert case["status"] == "under_review"
    kinds = [entry["kind"] for entry in case["timeline"]]
    assert {"opened", "deadline_set", "evidence_added", "message_added"} <= set(kinds)
    assert case["timeline"][-1]["kind"] == "status_changed"
    assert case["evidence"][0]["description"] == "DHL 123"
    assert case["messages"][0]["body"] == "Where is my parcel?"
    assert case["deadlines"] == [
        {"kind": "platform_response", "due_at": to_rfc3339(T0 + timedelta(days=7)),
         "source": "fake", "party": "merchant"}
    ]  # fmt: skip
    assert case["allowed_actions"] == ["add_note"]  # under review: the fake offers no more


def test_timeline_route_lists_the_same_entries(client, viewer, detailed):
    detail = client.get(f"/api/v1/cases/{detailed}", headers=viewer).get_json()
    timeline = client.get(f"/api/v1/cases/{detailed}/timeline", headers=viewer).get_json()
    assert timeline == {"items": detail["timeline"], "next_cursor": None}


@pytest.mark.parametrize("suffix", ["", "/timeline", "/actions"])
def test_unknown_case_is_404(client, viewer, suffix):
    response = client.get(f"/api/v1/cases/case_missing{suffix}", headers=viewer)
    assert response.status_code == 404
    assert response.get_json() == {
        "code": "not_found", "status": 404, "message": "no case 'case_missing'", "errors": {},
    }  # fmt: skip
