"""The notices feature as a plugin: the built-in notifiers (e-mail when SMTP is configured,
the merchant's webhook when its URL and secret are), queueing the notices of each step as
it is recorded, and sending them in every worker round."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from disputeflow.core.errors import ConfigurationError, InvalidInputError
from disputeflow.core.hookspecs import hookimpl
from disputeflow.core.values import TimelineEntry
from disputeflow.engine import outbound
from disputeflow.engine.config import Settings
from disputeflow.engine.notices import Notifier
from disputeflow.engine.processing import RetryPolicy
from disputeflow.engine.runtime import Runtime
from disputeflow.features.notices import steps
from disputeflow.features.notices.email import EmailNotifier
from disputeflow.features.notices.outbox import process_notices
from disputeflow.features.notices.webhook import WebhookNotifier


@hookimpl
def disputeflow_register_notifiers(settings: Settings) -> Iterable[Notifier]:
    """E-mail and the merchant's webhook, as far as they are configured."""
    found: list[Notifier] = []
    notices = settings.notices
    if notices.smtp_host:
        found.append(EmailNotifier(notices))
    if notices.webhook_url and notices.webhook_secret:
        try:
            outbound.check_url(notices.webhook_url, allowed=settings.allow_private_urls)
        except InvalidInputError as error:
            raise ConfigurationError(f"DISPUTEFLOW_NOTICE_WEBHOOK_URL: {error.message}") from None
        found.append(WebhookNotifier(notices.webhook_url, notices.webhook_secret))
    return found


@hookimpl
def disputeflow_entries_recorded(
    session: Session, case_id: str, entries: tuple[TimelineEntry, ...]
) -> None:
    """Queue the notices of the steps among new timeline entries, in their transaction."""
    steps.enqueue_for_entries(session, case_id, entries)


@hookimpl(tryfirst=True)
def disputeflow_worker_round(runtime: Runtime, policy: RetryPolicy) -> int:
    """Send the notices that are due."""
    return process_notices(runtime, policy=policy).handled
