"""The case page's action forms: read, validate, and turn into an outbox request.

Each form posts ``type`` (an action, or ``assign``) and its own fields; what is wrong comes
back as :class:`FormError` with messages per field, shown next to the fields. Checks the
core makes itself (the refundable amount, a rationale the rules require, a decline the
buyer's statutory rights forbid) come back the same way from
:func:`~disputeflow.engine.outbox.request_action`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.money import Money, minor_units
from disputeflow.core.taxonomy import ActionType, Actor
from disputeflow.core.values import Evidence
from disputeflow.engine.ids import new_id
from disputeflow.engine.outbox import ActionInput
from disputeflow.features.handling.fairness import EXCEPTION_PARAM, INFO_PARAM
from disputeflow.webhooks.web.locale import current

ASSIGN = "assign"
EVIDENCE_KINDS = (
    "shipping_documentation",
    "proof_of_delivery",
    "customer_communication",
    "receipt",
    "refund_policy",
    "product_description",
    "photo",
    "other",
)
MAX_TEXT = 10_000


def _(message: str, /, **values: object) -> str:
    """``message`` in the reader's language."""
    return current().gettext(message, **values)


@dataclass
class FormError(Exception):
    """A form that cannot be sent as it is: messages per field and for the whole form."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = field(
        default_factory=lambda: current().gettext("Please correct the fields marked below.")
    )


def _text(
    form: Mapping[str, str], name: str, *, required: str | None = None, limit: int = MAX_TEXT
) -> str | None:
    value = (form.get(name) or "").strip()
    if not value:
        if required:
            raise FormError({name: [required]})
        return None
    if len(value) > limit:
        raise FormError({name: [_("At most %(limit)s characters.", limit=limit)]})
    return value


def _amount(form: Mapping[str, str], case: Case) -> Money:
    text = (form.get("amount") or "").strip()
    if not text:
        raise FormError({"amount": [_("Enter the amount to refund.")]})
    currency = case.amount.currency if case.amount else (form.get("currency") or "").strip()
    try:
        money = Money(current().parse_amount(text), currency)
    except DisputeflowError:
        raise FormError({"amount": [_amount_problem(text, currency)]}) from None
    if money.value <= 0:
        raise FormError({"amount": [_("The amount must be more than zero.")]})
    return money


def _amount_problem(text: str, currency: str) -> str:
    """Why ``text`` is no amount of ``currency``, in the reader's words."""
    try:
        places, number = minor_units(currency), Decimal(text)
    except (DisputeflowError, InvalidOperation):
        return _("Enter an amount such as 12.50.")
    if not number.is_finite():
        return _("Enter an amount such as 12.50.")
    return _("%(currency)s allows at most %(places)s decimal places.", currency=currency,
             places=places)  # fmt: skip


def _url(form: Mapping[str, str]) -> str | None:
    value = _text(form, "evidence_url", limit=2000)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FormError({"evidence_url": [_("Give a full http:// or https:// address.")]})
    return value


def _evidence(form: Mapping[str, str]) -> tuple[Evidence, ...]:
    kind = _text(form, "evidence_kind", required=_("Choose the kind of evidence."), limit=100)
    if kind not in EVIDENCE_KINDS:
        raise FormError({"evidence_kind": [_("Choose one of the kinds listed.")]})
    description = _text(form, "evidence_description", required=_("Describe the evidence."))
    item = Evidence(
        external_id=new_id("evd"),
        party=Actor.MERCHANT,
        kind=kind,
        submitted_at=utcnow(),
        description=description or "",
        url=_url(form),
    )
    return (item,)


def _request(form: Mapping[str, str], case: Case, action: ActionType) -> ActionInput:
    """The request of one action's form (without who asks)."""
    if action is ActionType.REFUND:
        return ActionInput(action, amount=_amount(form, case), rationale=_text(form, "rationale"))
    if action in (ActionType.SEND_MESSAGE, ActionType.ADD_NOTE):
        message = _text(form, "message", required=_("Write the message."))
        info: dict[str, Any] | None = {INFO_PARAM: True} if form.get("request_info") else None
        return ActionInput(action, message=message, params=info)
    if action is ActionType.CONTEST:
        return ActionInput(action, evidence=_evidence(form), rationale=_text(form, "rationale"))
    if action is ActionType.DECLINE_RETURN:
        reason = _text(form, "rationale", required=_("Give the reason for declining."))
        exception = _text(form, "statutory_exception", limit=100)
        params: dict[str, Any] | None = {EXCEPTION_PARAM: exception} if exception else None
        return ActionInput(action, rationale=reason, params=params)
    return ActionInput(action, rationale=_text(form, "rationale"))


def parse(form: Mapping[str, str], case: Case, requested_by: str) -> ActionInput:
    """The request a form stands for; :class:`FormError` when a field is wrong."""
    kind = (form.get("type") or "").strip()
    key = _text(form, "idempotency_key", limit=200)
    if kind == ASSIGN:
        who = _text(form, "assignee", required=_("Say who takes the case."), limit=200)
        note = _text(form, "message")
        message = f"Assigned to {who}" + (f": {note}" if note else "")
        params = {"assign_to": who, **({"assign_note": note} if note else {})}
        wanted = ActionInput(ActionType.ADD_NOTE, message=message, params=params)
    else:
        try:
            action = ActionType(kind)
        except ValueError:
            raise FormError(message=_("Unknown action %(action)s.", action=repr(kind))) from None
        wanted = _request(form, case, action)
    return replace(wanted, idempotency_key=key, requested_by=requested_by)


def _codes(error: DisputeflowError) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, messages in (error.errors or {}).items():
        listed = messages if isinstance(messages, list) else [messages]
        found[name] = {str(m) for m in listed}
    return found


def core_words(error: DisputeflowError, case: Case, left: Money | None) -> str | None:
    """The reader's words for a complaint of the core these forms know (``left``: what can
    still be refunded), else ``None``."""
    codes, reader = _codes(error), current()
    amount, said = codes.get("amount", set()), set().union(*codes.values())
    if "exceeds refundable" in amount and left is not None:
        return _("At most %(amount)s can still be refunded.", amount=reader.money(left))
    if "partial refunds unsupported" in amount:
        return _("%(marketplace)s refunds only the whole remaining amount.",
                 marketplace=reader.marketplace(case.platform))  # fmt: skip
    if "wrong currency" in amount and case.amount is not None:
        return _("The refund must be in %(currency)s.", currency=case.amount.currency)
    if "required" in codes.get("rationale", set()):
        return _("This decides the case: give the reason for it.")
    if "required" in codes.get("message", set()):
        return _("Write the message.")
    if "already used" in said:
        return _("This form was already sent for another action. Reload the page.")
    return None


def field_errors(error: DisputeflowError, words: str | None = None) -> dict[str, list[str]]:
    """The core's complaint next to the form field it is about (its whole message, or
    ``words`` for it, when it names one field: "at most 12.50 EUR can still be refunded"
    says more than "exceeds refundable")."""
    renamed = {"evidence": "evidence_kind", "params": "statutory_exception"}
    errors = error.errors or {}
    if len(errors) == 1:
        (name,) = errors
        return {renamed.get(name, name): [words or error.message]}
    found: dict[str, list[str]] = {}
    for name, messages in errors.items():
        listed = messages if isinstance(messages, list) else [str(messages)]
        found[renamed.get(name, name)] = [str(m) for m in listed]
    return found
