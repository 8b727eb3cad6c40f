"""What a buyer's case page shows, in their words: built from the case, the statutory
rights of their country and the expected resolution."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel import Locale

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Actor, TimelineKind
from disputeflow.features.handling.rights import UNKNOWN, StatutoryRights, rights_for
from disputeflow.features.i18n import Formatter, labels
from disputeflow.features.transparency.expected import ExpectedResolution
from disputeflow.features.transparency.files import EVIDENCE_KIND


def country_name(fmt: Formatter, country: str | None) -> str:
    if not country:
        return ""
    return str(Locale.parse(fmt.lang).territories.get(country.upper(), country.upper()))


def _withdrawal(fmt: Formatter, rights: StatutoryRights, name: str, days: int) -> list[str]:
    """The change-of-mind period the law gives, and the refund it promises."""
    _ = fmt.gettext
    if rights.withdrawal_business_days:
        lines = [
            _("Where you live (%(country)s), the law gives you %(days)s business days to "
              "withdraw from an online purchase without giving a reason.", country=name, days=days)
        ]  # fmt: skip
    else:
        lines = [
            _("Where you live (%(country)s), the law gives you %(days)s days to withdraw "
              "from an online purchase without giving a reason.", country=name, days=days)
        ]  # fmt: skip
    if rights.only_without_store_policy:
        lines.append(_("This applies only where the store states no return policy of its own."))
    refund = rights.refund_days
    if refund is not None and rights.refund_business_days:
        lines.append(_("The store must refund you within %(days)s business days.", days=refund))
    elif refund is not None:
        lines.append(_("The store must refund you within %(days)s days.", days=refund))
    lines.append(
        _("Whatever the store's policy says, you always get at least what the law gives you.")
    )
    return lines


def rights_lines(
    fmt: Formatter, country: str | None, store_days: int | None
) -> tuple[list[str], StatutoryRights | None]:
    """The buyer's statutory rights as sentences (and the record they come from)."""
    _ = fmt.gettext
    lines: list[str] = []
    rights = rights_for(country)
    name = country_name(fmt, country)
    if store_days is not None:
        lines.append(_("The store's own return window: %(days)s days.", days=store_days))
    if rights is None and not country:
        lines.append(_("We do not know which country you live in, so we cannot say which "
                       "consumer law applies to you."))  # fmt: skip
        return lines, None
    if rights is None:
        lines.append(_("We have no record of the consumer law in %(country)s.", country=name))
        return lines, None
    days = rights.window_days(store_days)
    if rights.right == UNKNOWN:
        lines.append(
            _("We could not confirm whether the law where you live (%(country)s) gives a right "
              "to withdraw from an online purchase; the store's own policy applies.", country=name)
        )  # fmt: skip
    elif days is not None:
        lines += _withdrawal(fmt, rights, name, days)
    else:
        lines.append(
            _("The law where you live (%(country)s) gives no general right to withdraw from an "
              "online purchase; the store's own policy applies.", country=name)
        )  # fmt: skip
    if rights.right != UNKNOWN and not rights.verified:
        lines.append(_("We have not confirmed this in the text of the law itself."))
    if rights.right != UNKNOWN:
        lines.append(_("Faulty, damaged or missing goods are covered by law in any case."))
    lines.append(_("Law: %(law)s", law=rights.law))
    return lines, rights


def _step(fmt: Formatter, entry: Any, actions: dict[str, str]) -> str:
    _ = fmt.gettext
    kind = str(entry.kind)
    text = _(labels.STEP[kind])
    if kind in ("status_changed", "reopened", "resolved") and entry.data.get("new"):
        text += f": {_(labels.STATUS.get(entry.data['new'], entry.data['new']))}"
    if kind == "action_succeeded":
        action = actions.get(str(entry.data.get("action_id")), "")
        if action in labels.ACTION:
            text += f": {_(labels.ACTION[action])}"
    return text


def steps(fmt: Formatter, case: Case) -> list[dict[str, str]]:
    """The steps so far, oldest first: when, who, what."""
    actions = {
        str(e.data.get("action_id")): str(e.data.get("action"))
        for e in case.timeline
        if e.kind is TimelineKind.ACTION_REQUESTED
    }
    shown = [e for e in case.timeline if str(e.kind) in labels.STEP]
    return [
        {
            "at": fmt.time(e.at),
            "who": fmt.gettext(labels.PARTY[str(e.actor)]),
            "what": _step(fmt, e, actions),
        }
        for e in shown
    ]


def next_step(fmt: Formatter, case: Case, now: datetime) -> dict[str, str] | None:
    """Who must act next, and by when (``passed``: that deadline is behind us)."""
    if case.must_act is None:
        return None
    due = case.due_at
    return {
        "who": fmt.gettext(labels.MUST_ACT[str(case.must_act)]),
        "due": fmt.time(due) if due else "",
        "passed": "yes" if due and due <= now else "",
        "yours": "yes" if case.must_act is Actor.BUYER else "",
    }


def information_requests(case: Case) -> list[str]:
    """What the store asked the buyer, still unanswered (the buyer's own deadlines)."""
    asked = []
    for entry in case.timeline:
        if entry.kind is TimelineKind.ACTION_REQUESTED and entry.data.get("buyer_response_due"):
            source = f"disputeflow:information_request:{entry.data.get('action_id', '')}"
            if any(d.source == source for d in case.deadlines):
                asked.append(str(entry.data.get("message") or ""))
    return asked


def expected_text(
    fmt: Formatter, estimate: ExpectedResolution | None, passed: bool = False
) -> dict[str, str] | None:
    """The expected resolution in words: one date when both round to the same day; none
    while a deadline the page shows has passed (any date would come after it)."""
    if estimate is None:
        return None
    _ = fmt.gettext
    if passed:
        return {"text": _("The deadline has passed, so we cannot estimate when the case "
                          "will be resolved."), "basis": ""}  # fmt: skip
    basis = (
        _("Based on %(count)s similar cases.", count=estimate.sample_size)
        if estimate.sample_size
        else _("Based on typical times for this kind of case.")
    )
    date, latest = fmt.day(estimate.expected_at), fmt.day(estimate.latest_at)
    if date == latest:
        return {"text": _("Expected resolution: by %(date)s.", date=date), "basis": basis}
    text = _("Expected resolution: around %(date)s, at the latest %(latest)s.", date=date,
             latest=latest)  # fmt: skip
    return {"text": text, "basis": basis}


def title(fmt: Formatter, case: Case) -> str:
    """The page's title: the order it is about, else the item; never the case's own id
    (a marketplace's claim number is no order number)."""
    order = case.order
    reference = (order.name or order.external_id) if order else None
    if reference:
        return fmt.gettext("Your case about order %(order)s", order=reference)
    item = case.extra.get("item_title") or case.extra.get("item_id")
    if item:
        return fmt.gettext("Your case about the item %(item)s", item=item)
    return fmt.gettext("Your case")


def context(fmt: Formatter, case: Case, estimate: ExpectedResolution | None,
            store_days: int | None, now: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    """Everything the case page template shows."""
    _ = fmt.gettext
    buyer_country = case.buyer.country if case.buyer else None
    rights, record = rights_lines(fmt, buyer_country, store_days)
    step = next_step(fmt, case, now or utcnow())
    return {
        "case": case,
        "title": title(fmt, case),
        "kind": _(labels.KIND[str(case.kind)]),
        "category": _(labels.CATEGORY.get(str(case.category), "Something else")),
        "status": _(labels.STATUS[str(case.status)]),
        "outcome": _(labels.OUTCOME[str(case.outcome)]) if case.outcome else None,
        "amount": fmt.money(case.amount),
        "opened": fmt.time(case.opened_at),
        "steps": steps(fmt, case),
        "next": step,
        "asked": information_requests(case),
        "expected": expected_text(fmt, estimate, passed=bool(step and step["passed"])),
        "rights": rights,
        "rights_sources": list(record.sources) if record else [],
        "messages": [
            {
                "who": _(labels.PARTY[str(m.party)]),
                "at": fmt.time(m.sent_at),
                "body": m.body,
                "mine": m.party is Actor.BUYER,
            }
            for m in case.messages
        ],
        "files": [e for e in case.evidence if e.kind == EVIDENCE_KIND],
    }
