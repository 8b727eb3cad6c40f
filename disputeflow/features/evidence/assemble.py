"""Assembling a case's packet: every plugin's ``disputeflow_collect_evidence`` for the
case's connection, what disputeflow holds, and the agent's stored work.

The store is read in one short read-only transaction; the plugins are then called outside
any transaction (they may call their platform). A plugin that fails is named in the
packet's ``errors`` and the others' items are kept. An item whose name the catalogue does
not know (a plugin's typo, or a concept the catalogue lacks) is kept, shown and sent as
free text, and named in ``errors`` too, so it is never silently dropped nor silently
miscounted. Skipping calls for a demo connection is each plugin's job (the hook's contract).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.evidence import EvidenceItem
from disputeflow.core.marketplace import Connection
from disputeflow.core.plugins import PluginManager
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases, packets
from disputeflow.engine.store.tables import ConnectionRow, EvidenceFileRow
from disputeflow.features.evidence import catalogue, sources
from disputeflow.features.evidence.packet import (
    DISPUTEFLOW,
    PLATFORM,
    Edits,
    Packet,
    State,
    StoredFile,
    build,
)

log = logging.getLogger(__name__)
HOOK = "disputeflow_collect_evidence"
BUILTIN = "disputeflow.features.evidence.plugin"  # its items are disputeflow's own


@dataclass(frozen=True)
class Held:
    """What the store holds for a packet, read in one transaction."""

    case: Case
    connection: Connection
    items: list[EvidenceItem]
    edits: Edits
    state: State


def stored_edits(session: Session, case_id: str) -> tuple[Edits, State]:
    """The agent's edits and the packet's state as stored (empty ones for a new packet)."""
    row = packets.get(session, case_id)
    if row is None:
        return Edits(), State()
    files = {f["id"]: f["item"] for f in (row.edits.get("files") or ())}
    query = select(EvidenceFileRow).where(EvidenceFileRow.id.in_(files)) if files else None
    stored = tuple(
        StoredFile(r.id, files[r.id], r.filename, r.content_type)
        for r in (session.scalars(query) if query is not None else ())
    )
    edits = Edits(
        items=dict(row.edits.get("items") or {}),
        excluded=frozenset(row.edits.get("excluded") or ()),
        statement=row.statement or "",
        files=tuple(sorted(stored, key=lambda f: f.id)),
    )
    state = State(row.state, row.updated_by, row.updated_at, row.submitted_by,
                  row.submitted_at, row.action_id)  # fmt: skip
    return edits, state


def read_held(runtime: Runtime, case_id: str) -> Held:
    with runtime.database.session(readonly=True) as session:
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        row = session.get(ConnectionRow, case.connection_id)
        assert row is not None  # cases cascade with their connection
        connection = runtime.connection(row)
        items = sources.held_items(session, case)
        edits, state = stored_edits(session, case_id)
    return Held(case, connection, items, edits, state)


def collect(
    plugins: PluginManager, case: Case, connection: Connection
) -> tuple[list[tuple[str, EvidenceItem]], list[str]]:
    """Every plugin's items as ``(origin, item)``, and one error line per plugin that
    failed (the others are kept)."""
    found: list[tuple[str, EvidenceItem]] = []
    errors: list[str] = []
    for impl in reversed(getattr(plugins.hook, HOOK).get_hookimpls()):
        wanted = {"case": case, "connection": connection}
        try:
            answer = impl.function(**{k: v for k, v in wanted.items() if k in impl.argnames})
            items = [item for item in answer or () if isinstance(item, EvidenceItem)]
        except DisputeflowError as error:
            errors.append(f"{impl.plugin_name}: {error.message}")
            continue
        except Exception as error:  # a plugin bug: say so, keep the others' items
            log.exception("%s of plugin %s failed on case %s", HOOK, impl.plugin_name, case.id)
            errors.append(f"{impl.plugin_name}: {type(error).__name__}: {error}")
            continue
        origin = DISPUTEFLOW if impl.plugin_name == BUILTIN else PLATFORM
        found += [(origin, item) for item in items]
        errors += unknown_names(impl.plugin_name, items)
    return found, errors


def unknown_names(plugin: str, items: list[EvidenceItem]) -> list[str]:
    """One error line naming the items of ``plugin`` the catalogue does not know (logged)."""
    unknown = sorted({item.name for item in items if not catalogue.known(item.name)})
    if not unknown:
        return []
    log.warning("%s answered evidence items not in the catalogue: %s", plugin, unknown)
    return [f"{plugin}: not items of the evidence catalogue, kept as free text: "
            f"{', '.join(unknown)}"]  # fmt: skip


def assemble(runtime: Runtime, case_id: str) -> Packet:
    """The case's packet as it stands now (NotFoundError for an unknown case)."""
    held = read_held(runtime, case_id)
    found, errors = collect(runtime.plugins, held.case, held.connection)
    found += [(DISPUTEFLOW, item) for item in held.items]
    return build(
        held.case.id, held.case.platform, held.case.category, found,
        edits=held.edits, errors=errors, state=held.state,
    )  # fmt: skip
