"""Runtime settings, read once from the environment (and CLI flags) into one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from disputeflow.core.errors import ConfigurationError
from disputeflow.engine.notice_settings import NoticeSettings
from disputeflow.engine.outbound import env_allows as outbound_env_allows

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # platforms send kilobytes; a megabyte is generous
DEFAULT_EXPORT_RETENTION_DAYS = 30  # long enough to send a data request's answer
CASE_FILES = 20  # a buyer's uploads per case, over its whole life (besides the hourly rate)
CASE_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Where data lives and how the service presents itself.

    ``DISPUTEFLOW_HOME`` (default: the user's data directory) holds the embedded SQLite
    store and the generated secret key file; ``DISPUTEFLOW_DATABASE_URL`` points at any
    SQLAlchemy URL instead; ``DISPUTEFLOW_PUBLIC_URL`` is how platforms reach the service
    (it prefixes each connection's ``webhook_url``); ``DISPUTEFLOW_SECRET_KEY`` encrypts
    connection secrets (comma-separated keys rotate: the first encrypts, all decrypt);
    ``DISPUTEFLOW_RULES`` names the merchant's rules file (routing, automation, deadlines;
    see docs/handling.md); ``DISPUTEFLOW_EXPORT_RETENTION_DAYS`` is how long a data
    request's export is kept (docs/security.md).
    """

    home: Path
    database_url: str
    public_url: str
    secret_key: str | None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rules_path: Path | None = None
    notices: NoticeSettings = field(default_factory=NoticeSettings)  # docs/transparency.md
    export_retention_days: int = DEFAULT_EXPORT_RETENTION_DAYS
    # DISPUTEFLOW_ALLOW_PRIVATE_URLS: platform and notice URLs may reach internal addresses
    # (local development, the demo, tests); off in production (docs/security.md).
    allow_private_urls: bool = field(default_factory=outbound_env_allows)
    # DISPUTEFLOW_TRUSTED_PROXIES: how many proxies in front set X-Forwarded-For (ProxyFix);
    # 0 (the default): the socket's peer is the client, forwarded headers are ignored.
    trusted_proxies: int = 0
    # DISPUTEFLOW_CASE_FILES / _CASE_FILE_BYTES: lifetime caps on a buyer's uploads per case.
    case_files: int = CASE_FILES
    case_file_bytes: int = CASE_FILE_BYTES

    @property
    def is_embedded(self) -> bool:
        """Whether the store is the embedded SQLite file (``serve`` then upgrades it itself)."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(
        cls,
        *,
        database_url: str | None = None,
        home: str | Path | None = None,
        public_url: str | None = None,
        rules_path: str | Path | None = None,
    ) -> Settings:
        """Flags win over the environment, which wins over the defaults."""
        env = os.environ
        home_path = Path(
            home or env.get("DISPUTEFLOW_HOME") or platformdirs.user_data_dir("disputeflow")
        ).expanduser()
        url = database_url or env.get("DISPUTEFLOW_DATABASE_URL")
        if not url:
            url = f"sqlite:///{home_path / 'disputeflow.sqlite3'}"
        return cls(
            home=home_path,
            database_url=url,
            public_url=(
                public_url or env.get("DISPUTEFLOW_PUBLIC_URL") or "http://127.0.0.1:8000"
            ).rstrip("/"),
            secret_key=env.get("DISPUTEFLOW_SECRET_KEY") or None,
            max_body_bytes=_positive(env, "DISPUTEFLOW_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            rules_path=_path(rules_path or env.get("DISPUTEFLOW_RULES")),
            notices=NoticeSettings.from_env(env),
            export_retention_days=_positive(
                env, "DISPUTEFLOW_EXPORT_RETENTION_DAYS", DEFAULT_EXPORT_RETENTION_DAYS
            ),
            allow_private_urls=outbound_env_allows(env),
            trusted_proxies=_proxies(env),
            case_files=_positive(env, "DISPUTEFLOW_CASE_FILES", CASE_FILES),
            case_file_bytes=_positive(env, "DISPUTEFLOW_CASE_FILE_BYTES", CASE_FILE_BYTES),
        )

    def webhook_url(self, platform: str, connection_id: str) -> str:
        """The URL a platform posts a connection's deliveries to."""
        return f"{self.public_url}/webhooks/{platform}/{connection_id}"


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from ``env`` (ASCII digits only: ``²`` is no number here)."""
    value = (env.get(name) or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) <= 0:
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _proxies(env: Mapping[str, str]) -> int:
    proxies = env.get("DISPUTEFLOW_TRUSTED_PROXIES", "0").strip() or "0"
    if not (proxies.isascii() and proxies.isdigit()) or int(proxies) > 10:
        raise ConfigurationError(
            f"DISPUTEFLOW_TRUSTED_PROXIES must be a number from 0 to 10, got {proxies!r}"
        )
    return int(proxies)


def _path(value: str | Path | None) -> Path | None:
    return Path(value).expanduser() if value else None
