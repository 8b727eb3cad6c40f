"""A small, hand-checkable data set for the prevention analytics (see tests/core/test_analytics.py).

Two stores: ``eu-store`` (the fake marketplace, EUR) and ``us-store`` (a Shopify connection stored
directly, USD). Cases opened in October and November 2026, plus one in September that a
report from October 1st leaves out:

=====  =====  ==========  ==============  =======  ========  =============================
case   store  kind        category        amount   country   how it went
=====  =====  ==========  ==============  =======  ========  =============================
d1     eu     chargeback  fraud           100 EUR  DE        evidence +24h; won +15 days;
                                                             fee 15 EUR; SKU MUG-1
d2     eu     chargeback  not_received     50 EUR  FR        lost +48h; DHL; SKU MUG-1
r1     eu     return      changed_mind     40 EUR  DE        open; message +2h; SKU TEE-9;
                                                             DPD
s1     us     chargeback  fraud            80 USD  US        evidence +6h; partial +240h;
                                                             30 USD refunded; fee 15 USD
s2     us     chargeback  fraud            20 USD  US        withdrawn +24h
old    eu     return      damaged          10 EUR  DE        (September: outside)
=====  =====  ==========  ==============  =======  ========  =============================
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from disputeflow import CaseSnapshot, Evidence, Message, Money, Party
from disputeflow.core.taxonomy import Actor
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import connections

SINCE = datetime(2026, 10, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _case(runtime, connection_id: str, external_id: str, **fields: Any) -> str:
    """Ingest the opening snapshot, then (with ``resolved``) the resolving one."""
    resolved = fields.pop("resolved", None)
    opened = fields["opened_at"]
    values: dict[str, Any] = {
        "platform": fields.pop("platform", "fake"),
        "object_type": "return" if fields.get("kind") == "return" else "dispute",
        "external_id": external_id,
        "kind": "chargeback",
        "observed_at": opened,
        "status": "needs_response",
        **fields,
    }
    case_id = ingest_snapshot(
        runtime.database, runtime.plugins, connection_id, CaseSnapshot(**values)
    ).case.id
    if resolved:
        when, outcome, refunded = resolved
        later = {**values, "observed_at": when, "status": "resolved", "outcome": outcome}
        if refunded:
            later["refunded"] = refunded
        ingest_snapshot(runtime.database, runtime.plugins, connection_id, CaseSnapshot(**later))
    return case_id


def seed(runtime, api_base_url: str | None = None) -> dict[str, str]:
    """Put the data set in ``runtime``'s store; the case ids by name (plus the stores').

    ``api_base_url`` points the fake store at a local fake API (for tests with a worker,
    which syncs it)."""
    settings = {"signing_secret": "s", "shop": "eu-shop"}
    if api_base_url:
        settings["api_base_url"] = api_base_url
    eu = runtime.add_connection("fake", "eu-store", settings)
    with runtime.database.session() as session:
        us = connections.create(
            session,
            runtime.secrets,
            platform="shopify",
            name="us-store",
            settings={"shop": "us-shop"},
            secret_fields=frozenset(),
        ).id
    d1_opened = at("2026-10-05T10:00:00")
    ids = {"eu": eu["id"], "us": us}
    ids["d1"] = _case(
        runtime,
        eu["id"],
        "d1",
        opened_at=d1_opened,
        category="fraud",
        platform_reason="fraudulent",
        amount=Money("100.00", "EUR"),
        buyer=Party(country="DE"),
        evidence=(
            Evidence(
                "ev-d1", Actor.MERCHANT, "shipping_documentation", d1_opened + timedelta(hours=24)
            ),
        ),
        extra={"dispute_fee": {"value": "15.00", "currency": "EUR"}, "sku": "MUG-1"},
        resolved=(d1_opened + timedelta(days=15), "merchant_favor", None),
    )
    d2_opened = at("2026-10-12T00:00:00")
    ids["d2"] = _case(
        runtime,
        eu["id"],
        "d2",
        opened_at=d2_opened,
        category="not_received",
        platform_reason="not_received",
        amount=Money("50.00", "EUR"),
        buyer=Party(country="FR"),
        extra={"tracking": {"number": "1Z999", "carrier": "DHL"}, "sku": "MUG-1"},
        resolved=(d2_opened + timedelta(hours=48), "buyer_favor", None),
    )
    r1_opened = at("2026-11-02T09:00:00")
    ids["r1"] = _case(
        runtime,
        eu["id"],
        "r1",
        kind="return",
        opened_at=r1_opened,
        category="changed_mind",
        platform_reason="changed_mind",
        amount=Money("40.00", "EUR"),
        buyer=Party(country="DE"),
        messages=(
            Message("m-r1", Actor.MERCHANT, "Happy to help", r1_opened + timedelta(hours=2)),
        ),
        extra={"line_items": [{"sku": "TEE-9", "title": "Tee"}], "carrier": "DPD"},
    )
    s1_opened = at("2026-11-03T00:00:00")
    ids["s1"] = _case(
        runtime,
        us,
        "s1",
        platform="shopify",
        opened_at=s1_opened,
        category="fraud",
        platform_reason="fraudulent",
        amount=Money("80.00", "USD"),
        buyer=Party(country="US"),
        evidence=(Evidence("ev-s1", Actor.MERCHANT, "receipt", s1_opened + timedelta(hours=6)),),
        extra={"fees": [{"value": "15.00", "currency": "USD"}]},
        resolved=(s1_opened + timedelta(hours=240), "partial", Money("30.00", "USD")),
    )
    s2_opened = at("2026-11-20T00:00:00")
    ids["s2"] = _case(
        runtime,
        us,
        "s2",
        platform="shopify",
        opened_at=s2_opened,
        category="fraud",
        platform_reason="unrecognized",
        amount=Money("20.00", "USD"),
        buyer=Party(country="US"),
        resolved=(s2_opened + timedelta(hours=24), "withdrawn", None),
    )
    ids["old"] = _case(
        runtime,
        eu["id"],
        "old",
        kind="return",
        opened_at=at("2026-09-30T12:00:00"),
        category="damaged",
        amount=Money("10.00", "EUR"),
        buyer=Party(country="DE"),
    )
    return ids


def volume_per_day(per_day: dict[str, int]):
    """An order volume of ``per_day[connection_id]`` orders a day (``None`` for others)."""

    def volume(connection_id: str, start: datetime, end: datetime) -> int | None:
        if connection_id not in per_day:
            return None
        return round((end - start) / timedelta(days=1) * per_day[connection_id])

    return volume
