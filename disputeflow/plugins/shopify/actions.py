"""Merchant actions on Shopify: which API call each one is, and the return mutations.

| action | case kinds | Shopify call |
|---|---|---|
| contest | chargeback, inquiry | GraphQL ``disputeEvidenceUpdate`` (text, submit); REST only
  for file uploads and tracking rows, which stable GraphQL cannot write |
| refund | inquiry | GraphQL ``refundCreate`` with ``@idempotent``, spread over the tenders |
| refund | return | ``returnProcess`` (items and refund together), then ``returnClose`` unless
  Shopify closed it or ``params.close`` is false; ``params.process_return: false`` makes it a
  plain ``refundCreate`` on the order |
| approve_return | return | ``returnApproveRequest`` |
| decline_return | return | ``returnDeclineRequest`` (``params.decline_reason``, message as note) |
"""

from __future__ import annotations

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Case,
    CaseKind,
    CaseSnapshot,
    MarketplaceError,
)
from disputeflow.core.clock import utcnow
from disputeflow.plugins.shopify import evidence, queries, refund_actions, returns
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.mapping import DECLINE_REASONS
from disputeflow.plugins.shopify.values import gid, lower

DECLINE_NOTE_LIMIT = 500  # Shopify's maximum for declineNote


def perform(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """Carry out one declared action."""
    if action.type is ActionType.CONTEST:
        return evidence.contest(client, case, action)
    if action.type is ActionType.APPROVE_RETURN:
        return approve(client, case, action)
    if action.type is ActionType.DECLINE_RETURN:
        return decline(client, case, action)
    if case.kind is CaseKind.RETURN and action.params.get("process_return", True) is not False:
        result = refund_actions.process_return(client, case, action)
        closed = result.data.get("return_status") in ("CLOSED", None)
        if closed or action.params.get("close", True) is False:
            return result
        return close(client, case, result)
    return refund_actions.refund_order(client, case, action)


def _status_snapshot(case: Case, status: object) -> CaseSnapshot | None:
    """The return's status as the mutation answered it, merged at once (the webhook that
    follows says the same and changes nothing)."""
    raw = lower(status)
    if not raw:
        return None
    return returns.snapshot({"id": case.external_id, "status": raw}, utcnow())


def approve(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """Approve a requested return: Shopify sets it ``OPEN``."""
    variables = {"input": {"id": gid("Return", case.external_id),
                           "notifyCustomer": bool(action.params.get("notify", False))}}  # fmt: skip
    payload = client.mutate(queries.APPROVE_RETURN, variables, "returnApproveRequest")
    status = (payload.get("return") or {}).get("status")
    return ActionResult(
        external_id=case.external_id,
        message="return approved",
        snapshot=_status_snapshot(case, status),
    )


def decline(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """Decline a requested return with one of Shopify's reasons and the merchant's note."""
    reason = str(action.params.get("decline_reason") or "OTHER").upper()
    if reason not in DECLINE_REASONS:
        allowed = ", ".join(sorted(DECLINE_REASONS))
        raise MarketplaceError(f"decline_reason {reason!r} is not one of Shopify's: {allowed}")
    request = {
        "id": gid("Return", case.external_id),
        "declineReason": reason,
        "notifyCustomer": bool(action.params.get("notify", False)),
    }
    if action.message:
        request["declineNote"] = action.message[:DECLINE_NOTE_LIMIT]
    payload = client.mutate(queries.DECLINE_RETURN, {"input": request}, "returnDeclineRequest")
    status = (payload.get("return") or {}).get("status")
    return ActionResult(
        external_id=case.external_id,
        message=f"return declined ({reason})",
        snapshot=_status_snapshot(case, status),
        data={"decline_reason": reason},
    )


def close(client: ShopifyClient, case: Case, result: ActionResult) -> ActionResult:
    """Close a processed return (``returnClose``: "a return is complete")."""
    variables = {"id": gid("Return", case.external_id)}
    payload = client.mutate(queries.CLOSE_RETURN, variables, "returnClose")
    status = (payload.get("return") or {}).get("status")
    return ActionResult(
        external_id=result.external_id,
        message=f"{result.message}; return closed",
        refunded=result.refunded,
        snapshot=_status_snapshot(case, status),
        data={**result.data, "closed": True},
    )
