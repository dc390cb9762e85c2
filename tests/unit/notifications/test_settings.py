"""Which webhook addresses the settings allow where: private ranges never in production."""

from __future__ import annotations

import pytest
from notifications.settings import NotificationsSettings
from runtime.settings import PlatformSettings


def _settings(environment: str, **values: object) -> NotificationsSettings:
    platform = PlatformSettings().model_copy(update={"rights_environment": environment})
    return NotificationsSettings(platform=platform, **values)  # type: ignore[arg-type]


def test_private_webhook_addresses_are_allowed_in_local_development() -> None:
    assert _settings("local").private_webhooks_allowed


@pytest.mark.parametrize("explicit", [None, True, False])
def test_private_webhook_addresses_are_never_allowed_in_production(explicit: bool | None) -> None:
    assert not _settings("production", allow_private_webhooks=explicit).private_webhooks_allowed


def test_private_webhook_addresses_can_be_refused_locally() -> None:
    assert not _settings("local", allow_private_webhooks=False).private_webhooks_allowed
