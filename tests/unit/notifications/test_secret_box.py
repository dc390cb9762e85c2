"""Stored webhook secrets: encrypted at rest, usable to sign, the key kept owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from notifications.secret_box import SecretBox, secret_box
from notifications.settings import NotificationsSettings
from runtime.settings import PlatformSettings

SECRET = "the-party-chose-this-secret"


def test_sealed_secret_opens_to_the_same_secret_and_hides_it() -> None:
    box = SecretBox(Fernet.generate_key())
    sealed = box.seal(SECRET)
    assert SECRET.encode() not in sealed
    assert box.open(sealed) == SECRET


def test_secret_sealed_under_another_key_cannot_be_opened() -> None:
    sealed = SecretBox(Fernet.generate_key()).seal(SECRET)
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox(Fernet.generate_key()).open(sealed)


def test_local_key_is_generated_once_with_owner_only_permissions(tmp_path: Path) -> None:
    settings = NotificationsSettings(platform=PlatformSettings(rights_state_dir=tmp_path))
    sealed = secret_box(settings).seal(SECRET)
    assert secret_box(settings).open(sealed) == SECRET  # same key the second time
    mode = stat.S_IMODE(settings.secret_key_path.stat().st_mode)
    assert mode == 0o600


def test_box_never_shows_its_key() -> None:
    key = Fernet.generate_key()
    assert key.decode() not in repr(SecretBox(key))


def test_a_given_key_file_is_read_and_never_written(tmp_path: Path) -> None:
    # A Kubernetes secret mount: the file exists, its folder is read-only.
    mount = tmp_path / "secret"
    mount.mkdir()
    key = Fernet.generate_key()
    (mount / "key").write_bytes(key + b"\n")
    mount.chmod(0o500)
    state = tmp_path / "state"
    settings = NotificationsSettings(
        secret_key_file=mount / "key", platform=PlatformSettings(rights_state_dir=state)
    )
    try:
        sealed = secret_box(settings).seal(SECRET)
        assert SecretBox(key).open(sealed) == SECRET  # the mounted key, not a new one
        assert sorted(p.name for p in mount.iterdir()) == ["key"]
        assert not state.exists()
    finally:
        mount.chmod(0o700)


def test_a_missing_key_file_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    settings = NotificationsSettings(
        secret_key_file=tmp_path / "absent.key",
        platform=PlatformSettings(rights_state_dir=tmp_path / "state"),
    )
    with pytest.raises(ValueError, match="NOTIFICATIONS_SECRET_KEY_FILE"):
        secret_box(settings)
    assert not (tmp_path / "absent.key").exists()
    assert not (tmp_path / "state").exists()


def test_production_never_generates_a_key(tmp_path: Path) -> None:
    platform = PlatformSettings(rights_state_dir=tmp_path, rights_environment="production")
    with pytest.raises(ValueError, match="NOTIFICATIONS_SECRET_KEY_FILE"):
        secret_box(NotificationsSettings(platform=platform))
    assert list(tmp_path.iterdir()) == []
    given = Fernet.generate_key().decode()
    sealed = secret_box(NotificationsSettings(secret_key=given, platform=platform)).seal(SECRET)
    assert SecretBox(given.encode()).open(sealed) == SECRET
