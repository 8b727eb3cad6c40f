"""The evidence feature's part in the ``submit_evidence`` automation action: the packet as
it stands when the rule runs (features/handling/evidence_rule.py has the rest: the window
before the deadline, who took the case). Lent to handling through the plugin's
``AUTOMATION_PERFORMERS``, since handling never imports this feature."""

from __future__ import annotations

from typing import Any

from disputeflow.engine.outbox import ActionInput
from disputeflow.engine.runtime import Runtime
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.submit import contest_input, stored_contents, submit
from disputeflow.features.handling.evidence_rule import PacketSubmitter


def lacking(runtime: Runtime, case_id: str) -> str | None:
    """Why the packet assembled now cannot go (its required items missing), else ``None``."""
    packet = assemble(runtime, case_id)
    if packet.complete:
        return None
    names = ", ".join(m.name for m in packet.missing if m.required)
    return f"the evidence packet is incomplete (missing: {names})"


def contest(runtime: Runtime, case_id: str, by: str) -> ActionInput:
    """The contest the packet stands for now (a dry run checks it and stores nothing)."""
    packet = assemble(runtime, case_id)
    return contest_input(packet, stored_contents(runtime, packet), draft=False, by=by)


def send(runtime: Runtime, case_id: str, by: str) -> dict[str, Any]:
    """Submit the packet as an agent would (its key: the case and the packet's digest)."""
    action, _created, _packet = submit(runtime, case_id, draft=False, by=by)
    return action


SUBMITTER = PacketSubmitter(lacking=lacking, contest=contest, submit=send)
