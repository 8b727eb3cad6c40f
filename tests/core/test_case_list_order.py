"""The case list's two orders, paged with cursors at any page size, give exactly the
sorted cases once each: ``newest`` (updated_at, then id, descending) and ``urgent``
(due_at, then id; cases without a deadline last), also when many share a stamp, and with
filters. The list reads them as index ranges (docs/benchmarks.md), so the cursor
conditions are checked here against a plain sort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from disputeflow.engine.store.cases import CaseFilter, list_rows
from disputeflow.engine.store.tables import CaseRow

T0 = datetime(2026, 11, 1, tzinfo=UTC)
STATUSES = ("needs_response", "resolved")

cases_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # updated_at: few distinct stamps, so ties are common
        st.none() | st.integers(0, 5),  # due_at, or no deadline
        st.sampled_from(STATUSES),
    ),
    max_size=30,
)


def _rows(connection_id, drawn):
    return [
        CaseRow(
            id=f"case_{n:04d}",
            connection_id=connection_id,
            platform="fake",
            object_type="dispute",
            external_id=str(n),
            kind="chargeback",
            status=status,
            category="fraud",
            search_text="",
            opened_at=T0,
            updated_at=T0 + timedelta(hours=updated),
            snapshot_at=T0,
            snapshot_revision=-1,
            snapshot_fingerprint="x",
            document={},
            due_at=None if due is None else T0 + timedelta(days=due),
        )
        for n, (updated, due, status) in enumerate(drawn)
    ]


def _walk(session, filters, sort, limit):
    seen, cursor = [], None
    while True:
        rows, cursor = list_rows(session, filters, limit=limit, cursor=cursor, sort=sort)
        assert len(rows) <= limit
        seen += [row.id for row in rows]
        if cursor is None:
            return seen
        assert len(rows) == limit  # only a full page names a next one


def test_paging_both_orders_gives_each_case_once_in_order(runtime):
    connection = runtime.add_connection("fake", "order", {"signing_secret": "s", "shop": "o"})

    @given(drawn=cases_strategy, limit=st.integers(1, 7), status=st.none() | st.just("resolved"))
    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(drawn, limit, status):
        with runtime.database.session() as session:
            session.execute(delete(CaseRow))
            session.add_all(_rows(connection["id"], drawn))
        rows = [r for r in _rows(connection["id"], drawn) if status in (None, r.status)]
        newest = sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)
        dated = sorted((r for r in rows if r.due_at), key=lambda r: (r.due_at, r.id))
        undated = sorted((r for r in rows if r.due_at is None), key=lambda r: r.id)
        with runtime.database.session(readonly=True) as session:
            filters = CaseFilter(status=status)
            assert _walk(session, filters, "newest", limit) == [r.id for r in newest]
            assert _walk(session, filters, "urgent", limit) == [r.id for r in dated + undated]

    check()
