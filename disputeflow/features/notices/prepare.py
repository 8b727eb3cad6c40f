"""A queued notice made ready to send: loaded, checked against the settings, rendered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from disputeflow.core.case import Case
from disputeflow.engine.notice_settings import NoticeSettings
from disputeflow.engine.notices import Audience, Notice, Step
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import NoticeRow
from disputeflow.features.i18n import Formatter, formatter, negotiate
from disputeflow.features.notices import render
from disputeflow.features.transparency import expected, links


def _skip_reason(case: Case, audience: Audience, settings: NoticeSettings) -> str | None:
    if audience is Audience.BUYER and str(case.kind) not in settings.buyer_kinds:
        return f"buyers of {case.kind} cases are not sent notices (DISPUTEFLOW_BUYER_NOTICE_KINDS)"
    return None


def reader(case: Case, audience: Audience, settings: NoticeSettings) -> Formatter:
    """The buyer's language and zone (from the case), or the merchant's."""
    if audience is Audience.MERCHANT:
        return formatter(negotiate([settings.merchant_language]), None)
    buyer = case.buyer
    return formatter(negotiate([buyer.locale if buyer else None]), buyer.country if buyer else None)


def link_for(runtime: Runtime, case: Case, audience: Audience, now: datetime) -> str:
    settings = runtime.settings
    if audience is Audience.BUYER:
        days = settings.notices.buyer_link_days
        return links.case_link(runtime.secrets, settings.public_url, case.id, days=days, now=now)[0]
    return f"{settings.public_url}/workspace/cases/{case.id}"


def prepare(
    runtime: Runtime, notice_id: str, now: datetime
) -> tuple[Notice | None, dict[str, Any], str | None]:
    """``(notice, channels already done, None)``, or ``(None, {}, why it is skipped)``."""
    settings = runtime.settings.notices
    with runtime.database.session(readonly=True) as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        case = cases.get(session, row.case_id)
        estimate = expected.estimate(session, case, now)
        step, audience, data = Step(row.step), Audience(row.audience), dict(row.data)
        done, key = dict(row.channels), row.idempotency_key
    skip = _skip_reason(case, audience, settings)
    if skip:
        return None, {}, skip
    fmt = reader(case, audience, settings)
    link = link_for(runtime, case, audience, now)
    order = (case.order.name or case.order.external_id) if case.order else None
    notice = Notice(
        id=notice_id,
        idempotency_key=key,
        step=step,
        audience=audience,
        case=case,
        lang=fmt.lang,
        subject=render.subject(fmt, step, order or case.external_id),
        text=render.text(fmt, step, audience, data, case, link, estimate),
        link=link,
        payload=render.payload(notice_id, step, audience, data, case, link, estimate),
    )
    return notice, done, None
