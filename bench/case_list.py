"""Case list API latency with a million cases: p50/p95 per query shape.

The cases are written straight into the ``cases`` table in batches (executemany on
SQLite, COPY on PostgreSQL), not through the merge path, with realistic documents and a
realistic mix: three platforms, mostly resolved cases, a deadline on open ones, updates
spread over two years. Then each query shape is asked ``--repeat`` times through the real
app (``GET /api/v1/cases`` with a viewer token, Flask's test client: no network) and its
p50 and p95 are printed. ``--explain`` prints each shape's query plan, ``--shapes q=``
measures only the shapes whose name holds ``q=`` (the text search), and ``--passes 3``
measures the same store three times and prints the median p95 of each shape with its
spread. ``--cases 20000 --repeat 10`` is a quick run (about a minute).

    .venv/bin/python -m bench.case_list [--cases 1000000] [--repeat 40] [--explain]
        [--shapes TEXT] [--passes 1] [--database sqlite|postgresql|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event, insert, text

from bench import support
from disputeflow.core.case import Case
from disputeflow.core.money import Money
from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.taxonomy import Role
from disputeflow.core.values import Deadline, Order, Party
from disputeflow.engine.config import Settings
from disputeflow.engine.ids import new_id
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases, tokens
from disputeflow.engine.store.case_search import text_of
from disputeflow.engine.store.tables import CaseRow
from disputeflow.webhooks.app import create_app

PLATFORMS = (("shopify", 5), ("woocommerce", 3), ("ebay", 2))
KINDS = (("chargeback", 4), ("return", 4), ("inquiry", 1), ("claim", 1))
STATUSES = (("resolved", 70), ("needs_response", 15), ("under_review", 10),
            ("awaiting_buyer", 5))  # fmt: skip
CATEGORIES = (("fraud", 20), ("not_received", 20), ("not_as_described", 15), ("damaged", 8),
              ("changed_mind", 10), ("size_fit", 6), ("defective", 5), ("wrong_item", 4),
              ("credit_not_processed", 3), ("duplicate_charge", 2), ("other", 7))  # fmt: skip
OUTCOMES = ("merchant_favor", "buyer_favor", "partial", "withdrawn")
COUNTRIES = ("DE", "FR", "US", "GB", "JP", "BR", "CN", "KR", "IT", "ES", "NL", "CA", "AU")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
COLUMNS = [column.name for column in CaseRow.__table__.columns]
BATCH = 10_000
SLOW = 0.5  # seconds: a shape this slow is sampled 8 times, not --repeat times


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], [weight for _, weight in table])[0]


def _case(n: int, rng: random.Random, connections: dict[str, str]) -> Case:
    platform = _weighted(rng, PLATFORMS)
    status = _weighted(rng, STATUSES)
    updated = NOW - timedelta(seconds=rng.randrange(2 * 365 * 86400))
    opened = updated - timedelta(seconds=rng.randrange(30 * 86400))
    deadlines = []
    if status != "resolved":
        due = NOW + timedelta(seconds=rng.randrange(-5 * 86400, 30 * 86400))
        party = {"needs_response": "merchant", "under_review": "platform"}.get(status, "buyer")
        deadlines.append(Deadline("platform_response", due, platform, party))  # type: ignore[arg-type]
    currency = rng.choice(("EUR", "USD", "GBP", "JPY"))
    return Case(
        id=new_id("case"),
        connection_id=connections[platform],
        platform=platform,
        object_type="dispute",
        external_id=str(9_000_000_000 + n),
        kind=_weighted(rng, KINDS),  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        category=_weighted(rng, CATEGORIES),  # type: ignore[arg-type]
        opened_at=opened,
        updated_at=updated,
        outcome=rng.choice(OUTCOMES) if status == "resolved" else None,  # type: ignore[arg-type]
        platform_reason="product_not_received",
        platform_status=status,
        amount=Money(
            f"{rng.randrange(100, 50_000) / 100:.2f}"
            if currency != "JPY"
            else str(rng.randrange(100, 50_000)),
            currency,
        ),
        order=Order(external_id=str(5_000_000 + n), name=f"#{100_000 + n}"),
        buyer=Party(
            name=f"Buyer {n}", email=f"buyer{n}@example.com", country=rng.choice(COUNTRIES)
        ),
        deadlines=deadlines,
    )


def _row(case: Case) -> dict[str, Any]:
    document = case.to_dict()
    for key in ("timeline", "evidence", "messages", "allowed_actions", "due_at", "must_act"):
        document.pop(key)
    amount = case.amount
    return {
        "id": case.id, "connection_id": case.connection_id, "platform": case.platform,
        "object_type": case.object_type, "external_id": case.external_id,
        "kind": str(case.kind), "status": str(case.status), "category": str(case.category),
        "stage": None, "outcome": document["outcome"], "queue": None,
        "amount_minor": amount.minor if amount else None,
        "currency": amount.currency if amount else None,
        "buyer_country": case.buyer.country if case.buyer else None,
        "buyer_email": case.buyer.email if case.buyer else None, "buyer_external_id": None,
        "order_external_id": case.order.external_id if case.order else None,
        "search_text": text_of(case), "due_at": case.due_at, "opened_at": case.opened_at,
        "updated_at": case.updated_at, "snapshot_at": case.updated_at, "snapshot_revision": -1,
        "snapshot_fingerprint": f"{hash(case.id) & (2**64 - 1):016x}", "document": document,
        "rules_due_at": None,
    }  # fmt: skip


def _batches(count: int, connections: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
    rng = random.Random(42)
    for start in range(0, count, BATCH):
        yield [_row(_case(n, rng, connections)) for n in range(start, min(count, start + BATCH))]


def _copy(runtime: Runtime, batch: list[dict[str, Any]]) -> None:
    raw = runtime.database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = ", ".join(COLUMNS)
        with cursor.copy(f"COPY cases ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in batch:
                copy.write_row([json.dumps(row[c]) if c == "document" else row[c]
                                for c in COLUMNS])  # fmt: skip
        raw.commit()
    finally:
        raw.close()


def fill(runtime: Runtime, count: int, connections: dict[str, str]) -> float:
    """Write ``count`` cases; return the seconds it took."""
    started = time.perf_counter()
    for done, batch in enumerate(_batches(count, connections), start=1):
        if runtime.database.dialect == "postgresql":
            _copy(runtime, batch)
        else:
            with runtime.database.session() as session:
                session.execute(insert(CaseRow), batch)
        if done % 20 == 0:
            print(f"  {done * BATCH:>9,} cases, {time.perf_counter() - started:5.0f} s", flush=True)
    with runtime.database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return time.perf_counter() - started


SHAPES: dict[str, dict[str, str]] = {
    "newest (default)": {},
    "sort=urgent (due_at)": {"sort": "urgent"},
    "status=needs_response": {"status": "needs_response"},
    "status=needs_response&sort=urgent": {"status": "needs_response", "sort": "urgent"},
    "kind=inquiry": {"kind": "inquiry"},
    "category=duplicate_charge": {"category": "duplicate_charge"},
    "platform=ebay": {"platform": "ebay"},
    "platform=ebay&status=under_review": {"platform": "ebay", "status": "under_review"},
    "q=<one buyer's e-mail>": {"q": "buyer777777@example.com"},
    "q=<order name>": {"q": "#123456"},
    "q=<buyer name: 11 cases>": {"q": "Buyer 54321"},
    "q=<e-mail part: 1,111 cases>": {"q": "buyer987"},
    "q=<e-mail part: 11,111 cases>": {"q": "buyer12"},
    "q=<in every case: example.com>": {"q": "example.com"},
    "q=<e-mail>&sort=urgent": {"q": "buyer777777@example.com", "sort": "urgent"},
    "q=<e-mail>&status=resolved": {"q": "buyer777777@example.com", "status": "resolved"},
    "q=<1 char, frequent: 7>": {"q": "7"},
    "q=<2 chars, in no case: zq>": {"q": "zq"},
}
# The workspace inbox's search: a page by urgency and the count of every status (store
# calls as the page makes them; the page's own rendering is not counted).
INBOX_SHAPES: dict[str, dict[str, str]] = {
    "inbox q=<one buyer's e-mail>": {"q": "buyer777777@example.com"},
    "inbox q=<e-mail part: 1,111 cases>": {"q": "buyer987"},
    "inbox q=<e-mail part: 11,111 cases>": {"q": "buyer12"},
    "inbox q=<2 chars, in no case: zq>": {"q": "zq"},
}
CURSOR_SHAPES: dict[str, dict[str, str]] = {
    "newest, cursor pages 2+": {},
    "sort=urgent, cursor pages 2+": {"sort": "urgent"},
    "status=needs_response, cursor pages 2+": {"status": "needs_response"},
}


def _timed(
    client: FlaskClient, headers: dict[str, str], query: dict[str, str]
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.get("/api/v1/cases", query_string=query, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_json()
    return elapsed, response.get_json()


def _row_line(name: str, samples: list[float]) -> str:
    p50, p95 = support.percentile(samples, 0.5), support.percentile(samples, 0.95)
    return f"{name:40} p50 {support.ms(p50)}  p95 {support.ms(p95)}  (n={len(samples)})"


def _samples(client: FlaskClient, headers: dict[str, str], query: dict[str, str],
             repeat: int) -> list[float]:  # fmt: skip
    first = _timed(client, headers, query)[0]
    if first < SLOW:
        for _ in range(2):
            _timed(client, headers, query)
    # a shape that takes seconds gets fewer samples, so the run stays short
    return [_timed(client, headers, query)[0] for _ in range(repeat if first < SLOW else 8)]


def _cursor_samples(client: FlaskClient, headers: dict[str, str], query: dict[str, str],
                    repeat: int) -> list[float]:  # fmt: skip
    samples: list[float] = []
    _, page = _timed(client, headers, query)
    while len(samples) < repeat and page["next_cursor"]:
        elapsed, page = _timed(client, headers, {**query, "cursor": page["next_cursor"]})
        samples.append(elapsed)
    return samples


def _inbox(runtime: Runtime, query: dict[str, str]) -> float:
    started = time.perf_counter()
    with runtime.database.session(readonly=True) as session:
        filters = cases.CaseFilter(q=query["q"])
        cases.list_rows(session, filters, limit=25, sort="urgent")
        cases.count_by_status(session, filters)
    return time.perf_counter() - started


def _inbox_samples(runtime: Runtime, query: dict[str, str], repeat: int) -> list[float]:
    first = _inbox(runtime, query)
    return [_inbox(runtime, query) for _ in range(repeat if first < SLOW else 8)]


def measure(runtime: Runtime, args: argparse.Namespace) -> dict[str, list[float]]:
    """Samples per shape (those whose name holds ``--shapes``), printed as they come."""
    client = create_app(runtime).test_client()
    with runtime.database.session() as session:
        headers = {
            "Authorization": f"Bearer {tokens.create(session, name='b', role=Role.VIEWER).token}"
        }
    measured = {}
    for shapes, sampler in ((SHAPES, _samples), (CURSOR_SHAPES, _cursor_samples)):
        for name, query in shapes.items():
            if args.shapes not in name:
                continue
            measured[name] = sampler(client, headers, query, args.repeat)
            print(_row_line(name, measured[name]), flush=True)
            if args.explain:
                print("\n".join(_plan(runtime, client, headers, query)), flush=True)
    for name, query in INBOX_SHAPES.items():
        if args.shapes in name:
            measured[name] = _inbox_samples(runtime, query, args.repeat)
            print(_row_line(name, measured[name]), flush=True)
    return measured


def summary(passes: list[dict[str, list[float]]]) -> list[str]:
    """Per shape: the median of the passes' p95 and their spread."""
    lines = [f"== median p95 of {len(passes)} passes (min-max) =="]
    for name in passes[0]:
        p95s = sorted(support.percentile(one[name], 0.95) for one in passes)
        middle = p95s[len(p95s) // 2]
        lines.append(f"{name:40} p95 {support.ms(middle)}  ({p95s[0] * 1000:.1f}-"
                     f"{p95s[-1] * 1000:.1f} ms)")  # fmt: skip
    return lines


def _plan(runtime: Runtime, client: FlaskClient, headers: dict[str, str],
          query: dict[str, str]) -> list[str]:  # fmt: skip
    """The plan of the list query the request ran (captured as it ran)."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM cases" in statement and "LIMIT" in statement:
            captured.append((statement, parameters))

    engine = runtime.database.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        _timed(client, headers, query)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if runtime.database.dialect == "sqlite" else "EXPLAIN "
    lines = []
    with engine.connect() as connection:
        for statement, parameters in captured:
            plan = connection.exec_driver_sql(prefix + statement, parameters).all()
            lines += ["      " + " ".join(str(v) for v in row) for row in plan]
    return lines


def run(dialect: str, args: argparse.Namespace) -> None:
    with (
        support.temporary_home() as home,
        support.database_url(dialect, args.postgres_url, home) as url,
    ):
        settings = Settings(home=home, database_url=url, public_url="", secret_key=None)
        runtime = Runtime.create(settings, plugins=get_plugin_manager(load_entrypoints=False))
        try:
            runtime.upgrade()
            connections = {platform: _connection(runtime, platform) for platform, _ in PLATFORMS}
            print(f"\n== case list on {dialect}: writing {args.cases:,} cases ==", flush=True)
            seconds = fill(runtime, args.cases, connections)
            print(f"written and analysed in {seconds:.0f} s ({args.cases / seconds:,.0f}/s)")
            print(f"search: {_search_state(runtime)}")
            passes = []
            for n in range(args.passes):
                print(f"-- pass {n + 1}, load avg {support.load_average()}", flush=True)
                passes.append(measure(runtime, args))
            if args.passes > 1:
                print("\n".join(summary(passes)))
            if dialect == "sqlite":
                size = Path(url.removeprefix("sqlite:///")).stat().st_size / 2**20
                print(f"database file {size:,.0f} MiB")
        finally:
            runtime.close()
    print(f"load avg after: {support.load_average()}")


def _search_state(runtime: Runtime) -> str:
    try:
        from disputeflow.engine.store import case_search
    except ImportError:  # a release before the index
        return "not indexed (no index in this release)"
    return case_search.check(runtime.database).message()


def _connection(runtime: Runtime, platform: str) -> str:
    """A connection row for ``platform`` (settings are never read by the list)."""
    from disputeflow.engine.store import connections

    with runtime.database.session() as session:
        row = connections.create(session, runtime.secrets, platform=platform, name=platform,
                                 settings={}, secret_fields=frozenset())  # fmt: skip
        return row.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per shape")
    parser.add_argument("--explain", action="store_true", help="print each query plan")
    parser.add_argument("--shapes", default="", help="only shapes whose name holds this")
    parser.add_argument("--passes", type=int, default=1, help="measurements of one store")
    support.add_database_arguments(parser)
    args = parser.parse_args()
    print("\n".join(support.machine(args.postgres_url)))
    for dialect in support.databases(args):
        run(dialect, args)


if __name__ == "__main__":
    main()
