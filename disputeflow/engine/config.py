"""Runtime settings, read once from the environment (and CLI flags) into one frozen object."""

from __future__ import annotations

import os
import socket
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
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# ``serve`` writes the address it serves here (in DISPUTEFLOW_HOME), so that commands run in
# another terminal print URLs that reach it when DISPUTEFLOW_PUBLIC_URL is not set.
SERVED_URL_FILE = "served-url"
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "*"})  # noqa: S104  (names, not binds)


@dataclass(frozen=True)
class Settings:
    """Where data lives and how the service presents itself.

    ``DISPUTEFLOW_HOME`` (default: the user's data directory) holds the embedded SQLite
    store and the generated secret key file; ``DISPUTEFLOW_DATABASE_URL`` points at any
    SQLAlchemy URL instead; ``DISPUTEFLOW_PUBLIC_URL`` is how platforms reach the service
    (it prefixes each connection's ``webhook_url``, buyer links and install links; without
    it, the address served: see :func:`public_url_of`); ``DISPUTEFLOW_SECRET_KEY`` encrypts
    connection secrets (comma-separated keys rotate: the first encrypts, all decrypt);
    ``DISPUTEFLOW_RULES`` names the merchant's rules file (routing, automation, deadlines;
    see docs/handling.md); ``DISPUTEFLOW_EXPORT_RETENTION_DAYS`` is how long a data
    request's export is kept (docs/security.md).
    """

    home: Path
    database_url: str
    public_url: str
    secret_key: str | None
    public_url_source: str = "the default address"  # said by ``serve``
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
        served_at: tuple[str, int] | None = None,
    ) -> Settings:
        """Flags win over the environment, which wins over the defaults (``served_at``:
        the host and port ``serve`` is bound to)."""
        env = os.environ
        home_path = Path(
            home or env.get("DISPUTEFLOW_HOME") or platformdirs.user_data_dir("disputeflow")
        ).expanduser()
        url = database_url or env.get("DISPUTEFLOW_DATABASE_URL")
        if not url:
            url = f"sqlite:///{home_path / 'disputeflow.sqlite3'}"
        public, source = public_url_of(env, home_path, public_url, served_at)
        return cls(
            home=home_path,
            database_url=url,
            public_url=public,
            public_url_source=source,
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


def served_url(host: str, port: int) -> str:
    """The base URL of a service bound to ``host:port``. A wildcard address (every
    interface) is no address to open: this machine's host name stands for it."""
    host = host.strip().strip("[]")
    if host in WILDCARD_HOSTS:
        host = socket.gethostname() or DEFAULT_HOST
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def public_url_of(
    env: Mapping[str, str],
    home: Path,
    explicit: str | None = None,
    served_at: tuple[str, int] | None = None,
) -> tuple[str, str]:
    """The public URL and where it comes from: ``explicit``, then ``DISPUTEFLOW_PUBLIC_URL``,
    then the address served (``served_at`` in ``serve`` itself; elsewhere
    ``DISPUTEFLOW_HOST``/``DISPUTEFLOW_PORT`` if set, else what the last ``serve`` with this
    home recorded), then ``http://127.0.0.1:8000``."""
    given = explicit or env.get("DISPUTEFLOW_PUBLIC_URL")
    if given:
        source = "given" if explicit else "DISPUTEFLOW_PUBLIC_URL"
        return given.rstrip("/"), source
    if served_at is not None:
        return served_url(*served_at), "the address served"
    if env.get("DISPUTEFLOW_HOST") or env.get("DISPUTEFLOW_PORT"):
        host = env.get("DISPUTEFLOW_HOST") or DEFAULT_HOST
        port = env.get("DISPUTEFLOW_PORT") or str(DEFAULT_PORT)
        if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise ConfigurationError(f"DISPUTEFLOW_PORT must be a port number, got {port!r}")
        return served_url(host, int(port)), "DISPUTEFLOW_HOST and DISPUTEFLOW_PORT"
    recorded = _recorded_url(home)
    if recorded:
        return recorded, "the address `disputeflow serve` last served"
    return served_url(DEFAULT_HOST, DEFAULT_PORT), "the default address"


def record_served_url(home: Path, url: str) -> None:
    """Remember the address ``serve`` serves, for commands run beside it (best effort: a
    read-only home only loses the hint)."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        (home / SERVED_URL_FILE).write_text(url + "\n", encoding="utf-8")
    except OSError:
        pass


def _recorded_url(home: Path) -> str | None:
    try:
        url = (home / SERVED_URL_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return url if url.startswith(("http://", "https://")) and "\n" not in url else None


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
