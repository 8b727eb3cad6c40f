"""How notices go out: SMTP, the merchant's address and language, the outbound webhook."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from disputeflow.core.errors import ConfigurationError

SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class NoticeSettings:
    """Read from the environment (``DISPUTEFLOW_SMTP_HOST`` ..., see docs/transparency.md).

    E-mail goes out only when ``smtp_host`` is set; the merchant's webhook only when
    ``webhook_url`` and ``webhook_secret`` are. ``buyer_kinds`` are the case kinds whose
    buyers are told of each step (chargebacks are between the cardholder and their bank:
    left out unless named).
    """

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_security: str = "starttls"
    smtp_timeout: float = 20.0
    mail_from: str = "disputeflow@localhost"
    merchant_email: str | None = None
    merchant_language: str = "en"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    buyer_kinds: tuple[str, ...] = ("return", "inquiry", "claim")
    buyer_link_days: int = 90

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> NoticeSettings:
        def get(name: str) -> str | None:
            return (env.get(f"DISPUTEFLOW_{name}") or "").strip() or None

        security = get("SMTP_SECURITY") or "starttls"
        if security not in SECURITY:
            raise ConfigurationError(f"DISPUTEFLOW_SMTP_SECURITY must be one of {SECURITY}")
        kinds = get("BUYER_NOTICE_KINDS")
        return cls(
            smtp_host=get("SMTP_HOST"),
            smtp_port=_int(get("SMTP_PORT"), "SMTP_PORT", 587),
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_security=security,
            mail_from=get("MAIL_FROM") or cls.mail_from,
            merchant_email=get("MERCHANT_EMAIL"),
            merchant_language=get("MERCHANT_LANGUAGE") or "en",
            webhook_url=get("NOTICE_WEBHOOK_URL"),
            webhook_secret=get("NOTICE_WEBHOOK_SECRET"),
            buyer_kinds=(
                tuple(k.strip() for k in kinds.split(",") if k.strip())
                if kinds is not None
                else cls.buyer_kinds
            ),
            buyer_link_days=_int(get("BUYER_LINK_DAYS"), "BUYER_LINK_DAYS", 90),
        )


def _int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) <= 0:
        raise ConfigurationError(f"DISPUTEFLOW_{name} must be a positive integer, got {value!r}")
    return int(value)
