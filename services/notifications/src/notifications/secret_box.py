"""Encryption of stored webhook secrets: usable to sign, never readable back through an API.

The secret must stay usable (HMAC needs the key itself, a hash will not do), so it is stored
encrypted with Fernet (AES-128-CBC + HMAC) under a service-held key; a database dump alone
does not reveal it, and no route ever returns it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from notifications.settings import NotificationsSettings


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("utf-8"))

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("the stored webhook secret cannot be decrypted with this key") from exc

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def _key_file(path: Path) -> bytes:
    """The local key, generated once with owner-only permissions."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        # Another process may have won the race; os.link fails then and we read theirs.
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_bytes().strip()


def _given_key_file(path: Path) -> bytes:
    """A key file the operator provides (NOTIFICATIONS_SECRET_KEY_FILE): read, never written,
    so a read-only secret mount works; a missing one is an error, not a new key (a key made
    up here would leave every stored secret unreadable to the other replicas)."""
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ValueError(
            f"NOTIFICATIONS_SECRET_KEY_FILE: cannot read the key file {path} "
            f"({exc.strerror or type(exc).__name__})"
        ) from None


def secret_box(settings: NotificationsSettings) -> SecretBox:
    if settings.secret_key:
        return SecretBox(settings.secret_key.encode("ascii"))
    if settings.secret_key_file is not None:
        return SecretBox(_given_key_file(settings.secret_key_file))
    if settings.platform.production:
        # Replicas each generating their own key could not read each other's stored secrets.
        raise ValueError(
            "NOTIFICATIONS_SECRET_KEY or NOTIFICATIONS_SECRET_KEY_FILE: a key must be given "
            "in production (RIGHTS_ENVIRONMENT=production), never generated"
        )
    return SecretBox(_key_file(settings.secret_key_path))
