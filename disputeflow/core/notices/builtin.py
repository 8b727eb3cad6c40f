"""The built-in notifiers, registered like any plugin's: e-mail when SMTP is configured,
the merchant's webhook when its URL and secret are."""

from __future__ import annotations

from collections.abc import Iterable

from disputeflow.core import outbound
from disputeflow.core.config import Settings
from disputeflow.core.errors import ConfigurationError, InvalidInputError
from disputeflow.core.hookspecs import hookimpl
from disputeflow.core.notices.email import EmailNotifier
from disputeflow.core.notices.model import Notifier
from disputeflow.core.notices.webhook import WebhookNotifier


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
