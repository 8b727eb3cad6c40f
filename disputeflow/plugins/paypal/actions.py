"""Merchant actions on PayPal disputes, as PayPal allows them on each dispute now.

PayPal lists what the merchant may do in the dispute's HATEOAS ``links`` (and the allowed
types in ``allowed_response_options``); an action whose link is absent cannot be taken
(https://docs.paypal.ai/growth/disputes/handle-disputes/use-disputes-api, "Respond to a
dispute", checked 2026-12-04). So each action reads the dispute first, picks the call from
the links, sends it, and reads the dispute again for the case:

| action | PayPal call (link ``rel``), first offered wins, or ``params.response`` |
|---|---|
| accept | ``accept-claim`` (``accept_claim``); ``acknowledge-return-item`` ``ITEM_RECEIVED`` |
| contest | ``provide-evidence``, ``appeal``, ``provide-supporting-info``, ``escalate``;
  ``acknowledge-return-item`` with a problem, when asked |
| refund | ``make-offer`` (``make_offer``): an offer the buyer accepts or not |
| send_message | ``send-message`` (``send_message``) |

An accept that PayPal already carried out (a retry after a timeout) is reported as done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Case,
    CaseSnapshot,
    MarketplaceError,
    Money,
)
from disputeflow.plugins.paypal import responses
from disputeflow.plugins.paypal.api import PaypalApi, Upload
from disputeflow.plugins.paypal.disputes import action_links, to_snapshot
from disputeflow.plugins.paypal.responses import refuse

CALLS: dict[ActionType, tuple[str, ...]] = {
    ActionType.ACCEPT: ("accept_claim", "acknowledge_return_item"),
    ActionType.CONTEST: ("provide_evidence", "appeal", "provide_supporting_info", "escalate"),
    ActionType.REFUND: ("make_offer",),
    ActionType.SEND_MESSAGE: ("send_message",),
}
# Taken only when ``params.response`` names them.
ON_REQUEST: dict[ActionType, tuple[str, ...]] = {ActionType.CONTEST: ("acknowledge_return_item",)}
ACCEPTED = frozenset({"ACCEPTED", "RESOLVED_BUYER_FAVOUR"})


def choose(action: ActionRequest, offered: list[str]) -> str:
    """The PayPal call for ``action`` among the links PayPal ``offered``; else a refusal."""
    calls = CALLS.get(action.type, ())
    wanted = action.params.get("response")
    if wanted:
        if wanted not in calls + ON_REQUEST.get(action.type, ()):
            raise refuse(f"{action.type} cannot be carried out as {wanted!r} on PayPal")
        if wanted not in offered:
            raise refuse(f"PayPal does not offer {wanted} on this dispute now")
        return str(wanted)
    for call in calls:
        if call in offered:
            return call
    shown = ", ".join(offered) or "nothing"
    raise refuse(f"PayPal does not let the merchant {action.type} now (it offers {shown})")


def offered_types(case: Case, types: Sequence[ActionType]) -> list[ActionType]:
    """Of ``types``, those some call PayPal offers on the case (as it last showed) carries."""
    links = set(case.extra.get("paypal_actions") or ())
    return [kind for kind in types if links & set(CALLS.get(kind, ()) + ON_REQUEST.get(kind, ()))]


def check(case: Case, action: ActionRequest) -> str | None:
    """Why PayPal would refuse ``action`` now, from what the case last showed, or ``None``."""
    offered = list(case.extra.get("paypal_actions") or ())
    try:
        call = choose(action, offered)
        body_for(case, action, call)
        uploads_for(action, call)
    except MarketplaceError as error:
        return error.message
    return None


def body_for(case: Case, action: ActionRequest, call: str) -> dict[str, Any]:
    """The JSON PayPal takes for ``call`` (checked: a refusal when it cannot be sent)."""
    if call == "acknowledge_return_item":
        return responses.acknowledge(case, action, accepting=action.type is ActionType.ACCEPT)
    return BODIES[call](case, action)


def uploads_for(action: ActionRequest, call: str) -> list[Upload]:
    """The files of ``params.files`` for ``call``; refused for calls PayPal takes none with."""
    files = responses.uploads(action.params)
    if files and call not in TAKES_FILES:
        raise refuse(f"PayPal takes no files with {call.replace('_', '-')}")
    return files


BODIES: dict[str, Callable[[Case, ActionRequest], dict[str, Any]]] = {
    "accept_claim": responses.accept_claim,
    "make_offer": responses.make_offer,
    "provide_evidence": responses.evidences,
    "appeal": responses.evidences,
    "provide_supporting_info": lambda c, a: {"notes": responses.note(a, "See documents.")},
    "escalate": lambda c, a: {"note": responses.note(a, "Escalating to a PayPal claim.")},
    "send_message": lambda c, a: {"message": responses.note(a, "")},
}
MULTIPART = frozenset({"provide_evidence", "appeal"})  # PayPal takes these as multipart only
# Calls PayPal's guide shows with files attached (multipart, the JSON in ``input``).
TAKES_FILES = MULTIPART | {"send_message", "provide_supporting_info"}


class DisputeActions:
    """Actions on one connection's disputes."""

    def __init__(self, api: PaypalApi, platform: str) -> None:
        self.api = api
        self.platform = platform

    def perform(self, case: Case, action: ActionRequest) -> ActionResult:
        path = f"/v1/customer/disputes/{quote(case.external_id, safe='')}"
        current = self.api.get(path)
        offered = action_links(current)
        done = self._already_done(action, current, offered)
        if done is not None:
            return done
        fresh = replace(case, extra={**case.extra, **to_snapshot(self.platform, current).extra})
        call = choose(action, offered)
        self._send(fresh, action, call, f"{path}/{call.replace('_', '-')}")
        snapshot = self._reread(path)
        refunded = _refunded(fresh, action) if call == "accept_claim" else None
        return ActionResult(
            message=f"PayPal {call.replace('_', ' ')} sent", refunded=refunded, snapshot=snapshot
        )

    def _send(self, case: Case, action: ActionRequest, call: str, path: str) -> None:
        key = action.idempotency_key
        body = body_for(case, action, call)
        files = uploads_for(action, call)
        if call in MULTIPART or files:
            self.api.post_multipart(path, body, files, request_id=key)
        else:
            self.api.post(path, body, request_id=key)

    def _already_done(self, action: ActionRequest, current: Any,
                      offered: list[str]) -> ActionResult | None:  # fmt: skip
        outcome = (current.get("dispute_outcome") or {}).get("outcome_code")
        if (
            action.type is ActionType.ACCEPT
            and "accept_claim" not in offered
            and outcome in ACCEPTED
        ):
            snapshot = to_snapshot(self.platform, current)
            return ActionResult(message="PayPal shows the claim accepted already",
                                refunded=snapshot.refunded, snapshot=snapshot)  # fmt: skip
        return None

    def _reread(self, path: str) -> CaseSnapshot | None:
        try:
            return to_snapshot(self.platform, self.api.get(path))
        except MarketplaceError:
            return None  # the action was carried out; the next sync shows the dispute


def _refunded(case: Case, action: ActionRequest) -> Money | None:
    if case.amount is None:
        return action.amount
    if action.amount is None or action.amount > case.amount:
        return case.amount
    return action.amount
