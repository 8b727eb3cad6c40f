"""Connection secrets encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ``DISPUTEFLOW_SECRET_KEY`` or, failing that, from a key file generated
once in ``DISPUTEFLOW_HOME`` with 0600 permissions. Keys and plaintexts are never logged.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from disputeflow.core.errors import ConfigurationError

log = logging.getLogger(__name__)

KEY_FILE_NAME = "secret.key"
_HKDF_INFO = b"disputeflow connection secrets v1"


def _as_fernet_key(text: str) -> bytes:
    """A Fernet key as given, or one derived (HKDF-SHA256) from any other passphrase."""
    raw = text.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (binascii.Error, ValueError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(raw)
    return base64.urlsafe_b64encode(derived)


class SecretBox:
    """Encrypts a dict of secret settings into one token and back."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError("at least one secret key is needed")
        self._fernet = MultiFernet([Fernet(_as_fernet_key(k)) for k in keys])
        self._current = _as_fernet_key(keys[0])
        self._keys = [_as_fernet_key(k) for k in keys]

    def derive_key(self, purpose: str) -> bytes:
        """A stable 32-byte key for ``purpose`` (e.g. signing session cookies), derived
        (HKDF-SHA256) from the current key: it changes only when that key does."""
        info = b"disputeflow " + purpose.encode()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            self._current
        )

    def derive_keys(self, purpose: str) -> list[bytes]:
        """:meth:`derive_key` for every key, the current one first: what was signed before
        a key rotation still checks."""
        info = b"disputeflow " + purpose.encode()
        return [
            HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)
            for key in self._keys
        ]

    def encrypt(self, secrets: dict[str, Any]) -> str:
        """One opaque token for all of a connection's secrets."""
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, Any]:
        """The secrets back; a clear error when the key is not the one they were sealed with."""
        try:
            plain = self._fernet.decrypt(token.encode())
        except InvalidToken:
            raise ConfigurationError(
                "cannot decrypt connection secrets: DISPUTEFLOW_SECRET_KEY (or the key file) "
                "is not the key they were encrypted with"
            ) from None
        loaded: dict[str, Any] = json.loads(plain)
        return loaded


def _read_or_create_key_file(home: Path) -> str:
    path = home / KEY_FILE_NAME
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("secret key file %s is readable by others (mode %o)", path, mode)
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(Fernet.generate_key().decode() + "\n")
    log.info("generated a new secret key file at %s", path)
    return path.read_text().strip()


def load_secret_box(home: Path, secret_key: str | None) -> SecretBox:
    """The box for this installation: the environment's keys, else the key file's."""
    if secret_key:
        return SecretBox([k for k in secret_key.split(",") if k.strip()])
    return SecretBox([_read_or_create_key_file(home)])
