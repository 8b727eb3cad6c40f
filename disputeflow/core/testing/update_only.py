"""Conformance tests for update-only snapshots (:attr:`CaseSnapshot.update_only`): part of
:class:`~disputeflow.core.testing.MarketplaceAdapterTests`, or a mixin on its own."""

from __future__ import annotations

from disputeflow.core.marketplace import Connection, Marketplace, SampleDelivery
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.testing.support import MarketplaceFixtures, snapshots_of, translate_request


class BaseUpdateOnlyTests(MarketplaceFixtures):
    """Update-only snapshots are well formed, and the samples show one doing its job."""

    def test_update_only_snapshots_update_known_objects(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        """An update-only snapshot (a message that closes an object but cannot open a case)
        states a status and keeps its flag through JSON; an adapter that makes them shows,
        in its samples, one that updates an object another sample opens (else the core
        would drop them all, and no sample would show what they are for)."""
        snapshots = [
            snapshot
            for sample in samples
            for snapshot in snapshots_of(translate_request(marketplace, connection, sample.request))
        ]
        opened = {(s.object_type, s.external_id) for s in snapshots if not s.update_only}
        updates = [s for s in snapshots if s.update_only]
        for snapshot in updates:
            name = f"update-only {snapshot.object_type} {snapshot.external_id}"
            assert snapshot.status is not None, f"{name}: states no status"
            assert CaseSnapshot.from_dict(snapshot.to_dict()).update_only, f"{name}: flag lost"
        assert not updates or any((s.object_type, s.external_id) in opened for s in updates), (
            "no sample opens a case that an update-only sample updates"
        )
