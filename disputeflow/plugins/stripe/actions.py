"""Merchant actions carried out on Stripe: accept, contest (or save a draft), refund.

- Accept a chargeback: ``POST /v1/disputes/{id}/close`` ("acknowledging it as lost",
  https://docs.stripe.com/api/disputes/close).
- Accept an inquiry (a ``warning_*`` dispute) or an early fraud warning: refund the payment
  in full (``POST /v1/refunds``, https://docs.stripe.com/api/refunds/create), which is how
  Stripe resolves an inquiry without a dispute ("submit evidence or refund the payment in
  full", https://docs.stripe.com/disputes/how-disputes-work); closing would concede a loss.
- Contest: ``POST /v1/disputes/{id}`` with ``evidence[...]`` and ``submit`` (``true``, the
  default, sends it to the bank; ``params.submit = false`` stages a draft),
  https://docs.stripe.com/api/disputes/update. Files go first through the Files API.
- Refund (inquiries and fraud warnings): ``POST /v1/refunds`` with ``amount`` in Stripe's
  minor units.

All checked 2026-12-04. Every write sends an ``Idempotency-Key`` derived from the action's key
(one per step), so a retry within Stripe's 24 hours gets the first answer. Each write is
preceded by a read, so a retry after that still does nothing twice: a dispute already lost,
evidence carrying this action's key in the dispute's metadata, a refund carrying it in its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from disputeflow import ActionRequest, ActionResult, ActionType, Case, MarketplaceError, Money
from disputeflow.plugins.stripe import evidence
from disputeflow.plugins.stripe.amounts import to_minor, to_money
from disputeflow.plugins.stripe.client import StripeClient
from disputeflow.plugins.stripe.disputes import DISPUTE, WARNING, dispute_snapshot
from disputeflow.plugins.stripe.mapping import RESPONSE_DUE
from disputeflow.plugins.stripe.objects import expanded, object_id

META_KEY = "disputeflow_idempotency_key"
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
_ID = re.compile(r"^[A-Za-z0-9_]{3,255}$")


def perform(
    client: StripeClient,
    case: Case,
    action: ActionRequest,
    now: datetime,
    order_keys: Sequence[str],
) -> ActionResult:
    """Run one declared action (the caller has checked the capability)."""
    if case.object_type == WARNING:
        if action.type is ActionType.CONTEST:
            raise MarketplaceError(
                "an early fraud warning cannot be contested: refund the payment, or answer "
                "the dispute if the bank opens one",
                transient=False,
            )
        path = f"/v1/radar/early_fraud_warnings/{_checked(case.external_id)}"
        warning = client.get(path, [("expand[]", "charge")])
        return refund(client, warning, action, _amount(action))
    if case.object_type != DISPUTE:
        raise MarketplaceError(f"case {case.id} is not a Stripe dispute", transient=False)
    dispute = read_dispute(client, case.external_id)
    inquiry = str(dispute.get("status") or "").startswith("warning_")
    if action.type is ActionType.CONTEST:
        return contest(client, dispute, action, now, order_keys)
    if not inquiry and action.type is ActionType.REFUND:
        raise MarketplaceError(
            "a chargeback is not refunded: accept it (the bank has the money) or contest it",
            transient=False,
        )
    if inquiry:
        return refund(client, dispute, action, _amount(action))
    return close(client, dispute, action, now, order_keys)


def _amount(action: ActionRequest) -> Money | None:
    """A refund's amount; accepting refunds what is left of the payment."""
    if action.type is ActionType.REFUND:
        if action.amount is None:
            raise MarketplaceError("a refund needs an amount", transient=False)
        return action.amount
    return None


def _checked(identifier: str) -> str:
    if not _ID.match(identifier):
        raise MarketplaceError(f"{identifier!r} is not a Stripe id", transient=False)
    return identifier


def read_dispute(client: StripeClient, dispute_id: str) -> dict[str, Any]:
    """``GET /v1/disputes/{id}`` with the charge expanded."""
    return client.get(f"/v1/disputes/{_checked(dispute_id)}", [("expand[]", "charge")])


def close(
    client: StripeClient,
    dispute: Mapping[str, Any],
    action: ActionRequest,
    now: datetime,
    order_keys: Sequence[str],
) -> ActionResult:
    """Accept a chargeback; one already lost is the earlier attempt's result."""
    dispute_id, status = str(dispute["id"]), dispute.get("status")
    if status == "lost":
        return _dispute_result(dispute, "was already lost", now, order_keys, recovered=True)
    if status not in ("needs_response", "under_review"):
        raise MarketplaceError(
            f"dispute {dispute_id} is {status} on Stripe: nothing to accept", transient=False
        )
    closed = client.post(
        f"/v1/disputes/{dispute_id}/close",
        [("expand[]", "charge")],
        idempotency_key=f"{action.idempotency_key}:close",
    )
    return _dispute_result(closed, "accepted (closed as lost)", now, order_keys, recovered=False)


def contest(
    client: StripeClient,
    dispute: Mapping[str, Any],
    action: ActionRequest,
    now: datetime,
    order_keys: Sequence[str],
) -> ActionResult:
    """Submit the evidence (or stage it, ``params.submit = false``)."""
    dispute_id, status = str(dispute["id"]), dispute.get("status")
    submit = action.params.get("submit", True) is not False
    verb = "contested" if submit else "evidence staged as a draft"
    metadata = expanded(dispute.get("metadata"))
    submitted = expanded(dispute.get("evidence_details")).get("submission_count")
    if metadata.get(META_KEY) == action.idempotency_key:
        return _dispute_result(dispute, verb, now, order_keys, recovered=True)
    if submit and isinstance(submitted, int) and submitted > 0:
        raise MarketplaceError(
            f"evidence for dispute {dispute_id} was already submitted on Stripe", transient=False
        )
    if status not in RESPONSE_DUE:
        raise MarketplaceError(
            f"dispute {dispute_id} is {status} on Stripe: it takes no evidence", transient=False
        )
    texts = evidence.text_fields(action)
    if not texts and not action.params.get("files"):
        raise MarketplaceError("contesting needs evidence or a message", transient=False)
    fields = {**evidence.upload_files(client, dispute, action), **texts}
    data = [(f"evidence[{name}]", value) for name, value in sorted(fields.items())]
    data += [
        ("submit", "true" if submit else "false"),
        (f"metadata[{META_KEY}]", action.idempotency_key),
        ("expand[]", "charge"),
    ]
    updated = client.post(
        f"/v1/disputes/{dispute_id}", data, idempotency_key=f"{action.idempotency_key}:evidence"
    )
    return _dispute_result(updated, verb, now, order_keys, recovered=False)


def _dispute_result(
    dispute: Mapping[str, Any],
    verb: str,
    now: datetime,
    order_keys: Sequence[str],
    *,
    recovered: bool,
) -> ActionResult:
    dispute_id = str(dispute.get("id"))
    return ActionResult(
        external_id=dispute_id,
        message=f"dispute {dispute_id} {verb}",
        snapshot=dispute_snapshot(dispute, now, order_keys),
        data={"recovered": recovered},
    )


def refund(
    client: StripeClient, item: Mapping[str, Any], action: ActionRequest, amount: Money | None
) -> ActionResult:
    """Refund the disputed (or warned) payment: ``amount``, or all that is left of it."""
    charge_id = object_id(item.get("charge"))
    if charge_id is None:
        raise MarketplaceError("Stripe names no charge for this case", transient=False)
    existing = own_refund(client, charge_id, action.idempotency_key)
    if existing is not None:
        return _refund_result(existing, recovered=True)
    data = [("charge", charge_id), (f"metadata[{META_KEY}]", action.idempotency_key)]
    if amount is not None:
        charge = expanded(item.get("charge")) or client.get(f"/v1/charges/{_checked(charge_id)}")
        if str(charge.get("currency") or "").upper() != amount.currency:
            raise MarketplaceError(
                f"the payment is in {str(charge.get('currency')).upper()}, not {amount.currency}",
                transient=False,
            )
        data.append(("amount", str(to_minor(amount))))
    reason = action.params.get("reason")
    if reason in REFUND_REASONS:
        data.append(("reason", str(reason)))
    created = client.post("/v1/refunds", data, idempotency_key=f"{action.idempotency_key}:refund")
    return _refund_result(created, recovered=False)


def own_refund(client: StripeClient, charge_id: str, key: str) -> Mapping[str, Any] | None:
    """The charge's refund that carries ``key`` in its metadata (``GET /v1/refunds?charge=``)."""
    for page in client.pages("/v1/refunds", [("charge", _checked(charge_id))]):
        for refund_object in page:
            if expanded(expanded(refund_object).get("metadata")).get(META_KEY) == key:
                return expanded(refund_object)
    return None


def _refund_result(answer: Mapping[str, Any], *, recovered: bool) -> ActionResult:
    status = answer.get("status")
    if status in ("failed", "canceled"):
        reason = answer.get("failure_reason") or "no reason given"
        raise MarketplaceError(f"Stripe's refund {answer.get('id')} {status}: {reason}")
    refunded = to_money(answer.get("amount"), answer.get("currency"))
    refund_id = str(answer.get("id"))
    return ActionResult(
        external_id=refund_id,
        message=f"refund {refund_id} {status or 'created'} on Stripe",
        refunded=refunded,
        data={"recovered": recovered, "refund_status": status},
    )
