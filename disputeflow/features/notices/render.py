"""A notice in its reader's words: subject and text in their language, times in their zone,
money in their format; and the language-neutral JSON a webhook carries."""

from __future__ import annotations

from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.core.money import Money
from disputeflow.engine.notices import Audience, Step
from disputeflow.features.i18n import Formatter, labels
from disputeflow.features.transparency.expected import ExpectedResolution


def _money(fmt: Formatter, value: Any) -> str:
    return fmt.money(Money.from_dict(value)) if isinstance(value, dict) else ""


def _time(fmt: Formatter, value: Any) -> str:
    return fmt.time(parse_rfc3339(value)) if isinstance(value, str) else ""


def subject(fmt: Formatter, step: Step, order: str) -> str:
    _ = fmt.gettext
    return {
        Step.CASE_OPENED: _("Case opened for order %(order)s", order=order),
        Step.INFORMATION_REQUESTED: _("Information requested for order %(order)s", order=order),
        Step.OFFER_MADE: _("An offer for order %(order)s", order=order),
        Step.DECISION: _("A decision on order %(order)s", order=order),
        Step.REFUND_ISSUED: _("Refund issued for order %(order)s", order=order),
        Step.DEADLINE_APPROACHING: _("Deadline approaching for order %(order)s", order=order),
        Step.CASE_CLOSED: _("Case closed for order %(order)s", order=order),
        Step.BUYER_REPLIED: _("The buyer replied on order %(order)s", order=order),
    }[step]


def _action(fmt: Formatter, data: dict[str, Any]) -> str:
    action = labels.ACTION.get(str(data.get("action")), str(data.get("action")))
    text = fmt.gettext(action)
    if data.get("amount"):
        text += f" {_money(fmt, data['amount'])}"
    return text


def what_happened(fmt: Formatter, step: Step, data: dict[str, Any], case: Case) -> list[str]:
    """The lines saying what this step was."""
    _ = fmt.gettext
    reason = str(data.get("rationale") or "").strip()
    lines = {
        Step.CASE_OPENED: [
            _("A case about this order was opened: %(what)s.",
              what=_(labels.CATEGORY.get(str(case.category), "Something else")))
        ],
        Step.INFORMATION_REQUESTED: [
            _("The store asks for more information: %(message)s",
              message=data.get("message") or ""),
            _("Please answer by %(time)s.", time=_time(fmt, data.get("due"))),
        ],
        Step.OFFER_MADE: [_("The store made an offer: %(offer)s.", offer=_action(fmt, data))],
        Step.DECISION: [_("The store decided: %(decision)s.", decision=_action(fmt, data))],
        Step.REFUND_ISSUED: [
            _("A refund was recorded: %(amount)s in total.",
              amount=_money(fmt, data.get("refunded")))
        ],
        Step.DEADLINE_APPROACHING: [
            _("A deadline is near: %(time)s.",
              time=_time(fmt, (data.get("deadline") or {}).get("due_at")))
        ],
        Step.CASE_CLOSED: [
            _("The case is closed: %(outcome)s.",
              outcome=_(labels.OUTCOME.get(str(data.get("outcome")), "Resolved")))
        ],
        Step.BUYER_REPLIED: [_("The buyer sent a message or a file.")],
    }[step]  # fmt: skip
    if reason and step in (Step.OFFER_MADE, Step.DECISION):
        lines.append(_("The store's reason: %(reason)s", reason=reason))
    return lines


def text(
    fmt: Formatter,
    step: Step,
    audience: Audience,
    data: dict[str, Any],
    case: Case,
    link: str | None,
    expected: ExpectedResolution | None,
) -> str:
    """The body: what happened, where the case stands, what comes next, and the link."""
    _ = fmt.gettext
    lines = what_happened(fmt, step, data, case)
    lines.append(_("Status: %(status)s", status=_(labels.STATUS[str(case.status)])))
    if case.must_act is not None and case.due_at is not None:
        lines.append(_(labels.MUST_ACT[str(case.must_act)]))
        lines.append(_("Next deadline: %(time)s", time=fmt.time(case.due_at)))
    if expected is not None:
        lines.append(_("Expected resolution: %(date)s", date=fmt.day(expected.expected_at)))
    if link:
        if audience is Audience.BUYER:
            lines.append(_("Follow your case, reply and add evidence here: %(link)s", link=link))
        else:
            lines.append(_("Open the case: %(link)s", link=link))
    return "\n\n".join(lines) + "\n"


def payload(
    notice_id: str,
    step: Step,
    audience: Audience,
    data: dict[str, Any],
    case: Case,
    link: str | None,
    expected: ExpectedResolution | None,
) -> dict[str, Any]:
    """The Standard Webhooks body: ``{"type", "timestamp", "data"}``."""
    return {
        "type": f"case.{step}",
        "timestamp": data.get("at"),
        "data": {
            "notice_id": notice_id,
            "step": str(step),
            "audience": str(audience),
            "details": data,
            "link": link,
            "expected_resolution": expected.to_dict() if expected else None,
            "case": {k: v for k, v in case.to_dict().items() if k != "timeline"},
            "sent_for": to_rfc3339(case.updated_at),
        },
    }
