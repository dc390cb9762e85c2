"""Contact settings: a webhook URL needs a secret, which is kept but never shown back."""

from __future__ import annotations

import pytest
from contracts.errors import InvalidInput
from notifications.domain.contacts import (
    ContactSettings,
    WebhookSecretRequired,
    change_contact_settings,
    parse_email,
)
from notifications.domain.webhook_urls import WebhookUrlRefused

EMPTY = ContactSettings(email=None, webhook_url=None, has_webhook_secret=False)
WITH_HOOK = ContactSettings(
    email="a@example.com", webhook_url="https://h.example.com/x", has_webhook_secret=True
)
SECRET = "0123456789abcdef"


def test_email_is_validated_and_normalised() -> None:
    assert parse_email(" Alice@Example.COM ") == "Alice@example.com"
    with pytest.raises(InvalidInput) as caught:
        parse_email("not-an-address")
    assert caught.value.field == "email"


def test_webhook_url_without_any_secret_is_refused() -> None:
    with pytest.raises(WebhookSecretRequired) as caught:
        change_contact_settings(
            EMPTY, {"webhook_url": "https://h.example.com/x"}, allow_loopback=False
        )
    assert caught.value.field == "webhook_secret"


def test_new_url_keeps_the_stored_secret() -> None:
    change = change_contact_settings(
        WITH_HOOK, {"webhook_url": "https://new.example.com/"}, allow_loopback=False
    )
    assert change.webhook_url == "https://new.example.com/"
    assert change.new_secret is None and not change.drop_secret


def test_absent_fields_keep_their_value_and_null_clears() -> None:
    change = change_contact_settings(WITH_HOOK, {"email": None}, allow_loopback=False)
    assert change.email is None
    assert change.webhook_url == WITH_HOOK.webhook_url


def test_clearing_the_url_drops_the_secret() -> None:
    change = change_contact_settings(WITH_HOOK, {"webhook_url": None}, allow_loopback=False)
    assert change.webhook_url is None and change.drop_secret


def test_short_secret_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        change_contact_settings(
            EMPTY,
            {"webhook_url": "https://h.example.com/", "webhook_secret": "short"},
            allow_loopback=False,
        )
    assert caught.value.field == "webhook_secret"


def test_metadata_webhook_url_is_refused_when_registered() -> None:
    with pytest.raises(WebhookUrlRefused):
        change_contact_settings(
            EMPTY,
            {"webhook_url": "http://169.254.169.254/latest", "webhook_secret": SECRET},
            allow_loopback=True,
        )


def test_url_and_secret_together_are_accepted() -> None:
    change = change_contact_settings(
        EMPTY,
        {"webhook_url": "https://h.example.com/", "webhook_secret": SECRET},
        allow_loopback=False,
    )
    assert change.new_secret == SECRET and not change.drop_secret
