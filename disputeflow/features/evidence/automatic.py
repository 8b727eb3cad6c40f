"""The evidence feature's part in the ``submit_evidence`` automation action: the packet as
it stands when the rule runs (features/handling/evidence_rule.py has the rest: the window
before the deadline, who took the case). Lent to handling through the plugin's
``AUTOMATION_PERFORMERS``, since handling never imports this feature.

One evaluation of a case's rules may test ``packet_complete``, check the packet, then
submit it (or check the contest, in a dry run): within one evaluation (:func:`evaluation`)
the packet is assembled once, because each assembly may call the merchant's platform."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from disputeflow.engine.outbox import ActionInput
from disputeflow.engine.runtime import Runtime
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.packet import Packet
from disputeflow.features.evidence.submit import contest_input, stored_contents, submit
from disputeflow.features.handling.evidence_rule import PacketSubmitter

_scope = threading.local()


@contextmanager
def evaluation() -> Iterator[None]:
    """One evaluation of a case's rules: packets assembled inside it are reused inside it."""
    outer = getattr(_scope, "packets", None)
    _scope.packets = {} if outer is None else outer
    try:
        yield
    finally:
        _scope.packets = outer


def checked(runtime: Runtime, case_id: str) -> Packet:
    """The case's packet as it stands now (assembled once per evaluation)."""
    packets: dict[str, Packet] | None = getattr(_scope, "packets", None)
    if packets is None:
        return assemble(runtime, case_id)
    if case_id not in packets:
        packets[case_id] = assemble(runtime, case_id)
    return packets[case_id]


def lacking(runtime: Runtime, case_id: str) -> str | None:
    """Why the packet assembled now cannot go (its required items missing), else ``None``."""
    packet = checked(runtime, case_id)
    if packet.complete:
        return None
    names = ", ".join(m.name for m in packet.missing if m.required)
    return f"the evidence packet is incomplete (missing: {names})"


def contest(runtime: Runtime, case_id: str, by: str) -> ActionInput:
    """The contest the packet stands for now (a dry run checks it and stores nothing)."""
    packet = checked(runtime, case_id)
    return contest_input(packet, stored_contents(runtime, packet), draft=False, by=by)


def send(runtime: Runtime, case_id: str, by: str) -> dict[str, Any]:
    """Submit the packet as an agent would (its key: the case and the packet's digest)."""
    packet = checked(runtime, case_id)
    action, _created, _packet_now = submit(runtime, case_id, draft=False, by=by, packet=packet)
    return action


SUBMITTER = PacketSubmitter(lacking=lacking, contest=contest, submit=send, evaluation=evaluation)
