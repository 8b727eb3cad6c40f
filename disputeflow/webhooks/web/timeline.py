"""A case's timeline in the reader's words, built from each entry's kind and data.

The entries' ``summary`` is an English sentence written when the entry was made (the API
keeps it); the workspace says the same from the entry's data instead, so the timeline reads
in the merchant's language. What people wrote (a note, a rationale, a platform's message)
is shown as they wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.values import TimelineEntry
from disputeflow.webhooks.web.formatting import Local
from disputeflow.webhooks.web.words import TIMELINE

ASSIGN_NOTE = "assign_note"  # the note given with an assignment (forms.parse)


@dataclass(frozen=True)
class Line:
    """One timeline entry as shown: when, who, what, the details, and any words of people."""

    at: str
    stamp: str
    who: str
    what: str
    detail: str
    said: str | None = None


def _deadline(loc: Local, data: Mapping[str, Any]) -> dict[str, str]:
    found = data.get("deadline") or {}
    due = parse_rfc3339(found["due_at"]) if found.get("due_at") else None
    return {
        "party": loc.term(found.get("party"), "must_act"),
        "time": loc.when(due),
        "source": loc.source(str(found.get("source") or "")),
        "what": loc.term(found.get("kind"), "deadline_kind"),
    }


def _change(loc: Local, entry: TimelineEntry) -> str:
    data, kind = entry.data, str(entry.kind)
    vocabulary = {"kind_changed": "kind", "stage_changed": "stage"}.get(kind, "category")
    if kind == "category_changed" and data.get("rule"):
        return loc.gettext("Classified as %(category)s by %(rule)s (confidence %(share)s).",
                           category=loc.term(data.get("category"), "category"),
                           rule=data["rule"], share=loc.percent(_share(data)))  # fmt: skip
    if kind == "amount_changed":
        old, new = (loc.money(data.get(k)) for k in ("old", "new"))
    else:
        old, new = (loc.term(data.get(k), vocabulary) for k in ("old", "new"))
    return loc.gettext("%(old)s → %(new)s", old=old, new=new)


def _share(data: Mapping[str, Any]) -> float | None:
    confidence = data.get("confidence")
    return float(confidence) * 100 if isinstance(confidence, int | float) else None


def _status(loc: Local, data: Mapping[str, Any]) -> str:
    text = loc.gettext("%(old)s → %(new)s", old=loc.term(data.get("old"), "status"),
                       new=loc.term(data.get("new"), "status"))  # fmt: skip
    if data.get("outcome"):
        text += f" ({loc.term(data['outcome'], 'outcome')})"
    return text


def _rule(loc: Local, data: Mapping[str, Any]) -> str:
    _ = loc.gettext
    rule, action = str(data.get("rule") or ""), loc.term(data.get("action"), "action")
    if data.get("limited"):
        return _("Rule %(rule)s matched, but its daily limit is reached: %(action)s is left "
                 "to a person.", rule=rule, action=action)  # fmt: skip
    if data.get("queue"):
        return _("Rule %(rule)s moved the case to the queue %(queue)s.", rule=rule,
                 queue=data["queue"])  # fmt: skip
    if data.get("refused"):
        return _("Rule %(rule)s: %(action)s was refused.", rule=rule, action=action)
    return _("Rule %(rule)s would do this (dry run): %(action)s.", rule=rule, action=action)


def _policy(loc: Local, data: Mapping[str, Any]) -> str:
    return loc.gettext(
        "The store's %(store)s days are below the %(law)s days the law of %(country)s "
        "gives: the buyer gets %(days)s days.", store=data.get("store_window_days"),
        law=data.get("statutory_window_days"), country=loc.country(data.get("jurisdiction")),
        days=data.get("effective_window_days"),
    )  # fmt: skip


def _action(loc: Local, entry: TimelineEntry, names: Mapping[str, str]) -> str:
    _, data, kind = loc.gettext, entry.data, str(entry.kind)
    action = loc.term(data.get("action") or names.get(str(data.get("action_id"))), "action")
    if kind == "action_requested":
        who = data.get("requested_by") or _("the merchant")
        return _("%(action)s, asked by %(who)s.", action=action, who=who)
    if kind == "action_failed":
        return _("%(action)s failed.", action=action)
    reference = data.get("external_id")
    if reference:
        return _("%(action)s done (platform reference %(reference)s).", action=action,
                 reference=reference)  # fmt: skip
    return _("%(action)s done.", action=action)


def _detail(loc: Local, entry: TimelineEntry, case: Case, names: Mapping[str, str]) -> str:
    _, data, kind = loc.gettext, entry.data, str(entry.kind)
    if kind == "opened":
        return _("%(kind)s opened on %(marketplace)s.", kind=loc.term(case.kind, "kind"),
                 marketplace=loc.marketplace(case.platform))  # fmt: skip
    if kind in ("status_changed", "reopened", "resolved"):
        return _status(loc, data)
    if kind in ("kind_changed", "stage_changed", "category_changed", "amount_changed"):
        return _change(loc, entry)
    if kind == "refunded":
        return _(
            "Refunded: %(amount)s.", amount=loc.money(data.get("refunded") or data.get("amount"))
        )
    if kind in ("deadline_set", "deadline_approaching"):
        return _("%(party)s must act by %(time)s: %(source)s.", **_deadline(loc, data))
    if kind == "deadline_removed":
        return _("No longer due: %(what)s (%(source)s).", **_deadline(loc, data))
    if kind == "deadline_missed":
        return _("%(party)s missed the deadline of %(time)s: %(source)s.", **_deadline(loc, data))
    if kind in ("evidence_added", "message_added"):
        return _("From: %(party)s.", party=loc.term(entry.actor, "actor"))
    if kind.startswith("action_"):
        return _action(loc, entry, names)
    if kind == "note":
        who = data.get("assign_to")
        return _("Assigned to %(who)s.", who=who) if who else _("Internal note.")
    if kind == "routed":
        return _("Routed to %(queue)s by rule %(rule)s.", queue=data.get("queue"),
                 rule=data.get("rule"))  # fmt: skip
    if kind == "policy_flagged":
        return _policy(loc, data)
    if kind == "rule_applied":
        return _rule(loc, data)
    if kind in ("linked", "unlinked"):  # the reason is the store's or the agent's own words
        return _("Case %(case)s.", case=data.get("case_id"))
    if kind == "linked_refund":
        return _("Case %(case)s has refunded %(amount)s of the order.",
                 case=data.get("case_id"), amount=loc.money(data.get("refunded")))  # fmt: skip
    return _("Personal data erased.") if kind == "personal_data_erased" else ""


def _said(entry: TimelineEntry) -> str | None:
    """What a person wrote, as they wrote it (a note, a rationale, a failure's message)."""
    data, kind = entry.data, str(entry.kind)
    if kind == "note":
        return data.get(ASSIGN_NOTE) if data.get("assign_to") else entry.summary
    if kind == "action_failed":  # "<action> failed: <what the platform said>"
        return entry.summary.partition(": ")[2] or None
    if kind == "action_requested":
        return data.get("rationale") or data.get("message")
    if kind == "refunded":
        return data.get("note")
    if kind in ("linked", "unlinked"):
        return data.get("reason")
    return None


def lines(loc: Local, case: Case, names: Mapping[str, str]) -> list[Line]:
    """Every entry of ``case`` in ``loc``'s words; ``names``: action id -> action type."""
    return [
        Line(
            at=loc.when(entry.at),
            stamp=entry.at.isoformat(),
            who=loc.term(entry.actor, "actor"),
            what=loc.gettext(TIMELINE.get(str(entry.kind), str(entry.kind))),
            detail=_detail(loc, entry, case, names),
            said=_said(entry),
        )
        for entry in case.timeline
    ]
