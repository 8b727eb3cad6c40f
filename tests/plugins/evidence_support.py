"""Helpers of the plugins' evidence tests: gather one plugin's items through the hook, and
turn items into a contest's evidence as the packet does (``kind`` = the item's field, else
its catalogue name)."""

from __future__ import annotations

from collections.abc import Iterable

from disputeflow import Case, Connection, Evidence, EvidenceItem
from disputeflow.core.clock import utcnow
from disputeflow.features.evidence import catalogue

BUILT_IN = "disputeflow.features.evidence.plugin"  # what the case itself says, any platform


def collected(plugins, case: Case, connection: Connection) -> list[EvidenceItem]:
    """Every item the marketplace plugins answer for ``case`` (one list, in hook order); the
    built-in evidence feature's own items are left out, so each name is the platform's.
    Every name must be an item of the evidence catalogue (catalogue.toml)."""
    built_in = [plugins.get_plugin(BUILT_IN)]
    hook = plugins.subset_hook_caller("disputeflow_collect_evidence", remove_plugins=built_in)
    answers = hook(case=case, connection=connection)
    items = [item for answer in answers for item in answer]
    unknown = sorted({item.name for item in items if not catalogue.known(item.name)})
    assert not unknown, f"not items of the evidence catalogue: {unknown}"
    return items


def by_name(items: Iterable[EvidenceItem]) -> dict[str, EvidenceItem]:
    """Items by catalogue name (a name twice is a test failure: each comes once)."""
    found: dict[str, EvidenceItem] = {}
    for item in items:
        assert item.name not in found, f"{item.name} given twice"
        found[item.name] = item
    return found


def as_evidence(items: Iterable[EvidenceItem]) -> tuple[Evidence, ...]:
    """The text items as a contest's evidence: ``kind`` is the platform field they fill."""
    at = utcnow()
    return tuple(
        Evidence(f"ev-{number}", "merchant", item.field or item.name, at, item.text)
        for number, item in enumerate(items, start=1)
        if item.content is None
    )


def packet_of(client, case_id, agent):
    """The case's assembled packet through the API (``agent``: its auth headers)."""
    answer = client.get(f"/api/v1/cases/{case_id}/evidence", headers=agent)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def items(packet):
    """A packet's items (its API form) by catalogue name."""
    return {item["name"]: item for item in packet["items"]}
