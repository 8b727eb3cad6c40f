"""What a marketplace can do, declared once so the flow and the tests never ask its name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from disputeflow.core.taxonomy import ActionType, CaseKind


@dataclass(frozen=True)
class Capabilities:
    """A marketplace's declared abilities.

    ``actions`` maps each case kind to the actions its platform API can carry out for it.
    The boolean flags say which optional parts of the adapter contract are implemented.
    """

    actions: Mapping[CaseKind, frozenset[ActionType]] = field(default_factory=dict)
    webhooks: bool = True
    polling: bool = False
    partial_refunds: bool = True
    return_policy: bool = False
    register_webhooks: bool = False
    order_lookup: bool = False  # find_order: the buyer request form can prove an order
    buyer_messages: bool = False  # send_buyer_message: the platform's own channel to buyers
    app_webhooks: bool = False  # verify_app_delivery: one URL for the app's deliveries
    install: bool = False  # install_path: a merchant installs through /install/{name}

    @classmethod
    def build(
        cls, actions: Mapping[CaseKind | str, Iterable[ActionType | str]], **flags: bool
    ) -> Capabilities:
        """Build from strings, e.g. ``Capabilities.build({"return": ["refund"]}, polling=True)``."""
        parsed = {
            CaseKind(kind): frozenset(ActionType(a) for a in kind_actions)
            for kind, kind_actions in actions.items()
        }
        return cls(actions=parsed, **flags)

    def supports(self, kind: CaseKind, action: ActionType) -> bool:
        """Whether the platform can carry out ``action`` on a case of ``kind``."""
        return action in self.actions.get(kind, frozenset())

    def all_actions(self) -> frozenset[ActionType]:
        """Every action supported for some kind."""
        return frozenset().union(*self.actions.values()) if self.actions else frozenset()

    def to_dict(self) -> dict[str, object]:
        """The JSON form ``plugins list --json`` prints."""
        data: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["actions"] = {str(k): sorted(str(a) for a in v) for k, v in self.actions.items()}
        return data
