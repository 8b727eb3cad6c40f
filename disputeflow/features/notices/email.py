"""E-mail over SMTP (the standard library's ``smtplib``), in the reader's language.

The buyer's notices go to the case's buyer address, the merchant's to
``DISPUTEFLOW_MERCHANT_EMAIL``. Each message carries a ``Message-ID`` made from the notice's
idempotency key, so a mail system that sees a retry can tell it is the same notice.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import ClassVar

from disputeflow.engine.notice_settings import NoticeSettings
from disputeflow.engine.notices import Audience, Notice, NoticeError, NoticeResult, Notifier


class EmailNotifier(Notifier):
    """Notices by e-mail, to buyers and to the merchant."""

    name = "email"
    audiences: ClassVar[frozenset[Audience]] = frozenset({Audience.BUYER, Audience.MERCHANT})

    def __init__(self, settings: NoticeSettings) -> None:
        self.settings = settings

    def recipient(self, notice: Notice) -> str | None:
        if notice.audience is Audience.MERCHANT:
            return self.settings.merchant_email
        buyer = notice.case.buyer
        return buyer.email if buyer and buyer.email and "@" in buyer.email else None

    def message(self, notice: Notice, to: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = notice.subject
        message["Date"] = formatdate(usegmt=True)
        domain = self.settings.mail_from.rpartition("@")[2] or "localhost"
        key = hashlib.sha256(notice.idempotency_key.encode()).hexdigest()[:32]
        message["Message-ID"] = f"<{key}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(notice.text)  # UTF-8, quoted-printable or base64 as needed
        message["Content-Language"] = notice.lang.replace("_", "-")  # after: set_content clears it
        return message

    def send(self, notice: Notice) -> NoticeResult | None:
        to = self.recipient(notice)
        if not to:
            return None
        message = self.message(notice, to)
        try:
            with self._connect() as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise NoticeError(f"the mail server refused {to!r}: {error}", transient=False) from None
        except (smtplib.SMTPException, OSError) as error:
            raise NoticeError(
                f"SMTP failed: {type(error).__name__}: {error}", transient=True
            ) from None
        return NoticeResult(recipient=to, external_id=str(message["Message-ID"]))

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        if s.smtp_security == "ssl":
            context = ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        return smtp
