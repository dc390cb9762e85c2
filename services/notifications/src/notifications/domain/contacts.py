"""A party's contact settings as it gives them: an email address and a signed webhook.

These are private data (ASEAN data-protection laws): they never leave this service on an
event, in a log or in an API answer, except the address and URL shown back to their owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.errors import InvalidInput
from email_validator import EmailNotValidError, validate_email

from notifications.domain.webhook_urls import parse_webhook_url

# A webhook secret is the HMAC key a receiver checks signatures with: long enough that it
# cannot be guessed, short enough to paste into a config file.
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 256


class WebhookSecretRequired(InvalidInput):
    code = "WEBHOOK_SECRET_REQUIRED"


@dataclass(frozen=True)
class ContactSettings:
    """What a party wants to be reached at, as stored; the secret itself is never shown."""

    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool


NO_CONTACTS = ContactSettings(email=None, webhook_url=None, has_webhook_secret=False)


@dataclass(frozen=True)
class ContactChange:
    """The settings after a change, and what to do with the stored secret."""

    email: str | None
    webhook_url: str | None
    # A new secret to store, or None to keep the stored one (unless `drop_secret`).
    new_secret: str | None
    drop_secret: bool


def parse_email(raw: str, *, field: str = "email") -> str:
    """Validate and normalise an email address (syntax only: no DNS look-up here)."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"not a valid email address: {exc}", field=field, code="INVALID_EMAIL"
        ) from exc


def parse_webhook_secret(raw: str, *, field: str = "webhook_secret") -> str:
    if not MIN_SECRET_LENGTH <= len(raw) <= MAX_SECRET_LENGTH:
        raise InvalidInput(
            f"a webhook secret has {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters",
            field=field,
            code="INVALID_WEBHOOK_SECRET",
        )
    return raw


def change_contact_settings(
    current: ContactSettings,
    changes: dict[str, str | None],
    *,
    allow_loopback: bool,
    allow_private: bool = False,
) -> ContactChange:
    """Apply a party's change: absent keys keep their value, `None` clears one.

    A webhook URL is usable only with a secret. The secret cannot be read back, so a party
    that changes only its URL keeps its stored secret, and a URL with no secret at all is
    refused. Clearing the URL drops the secret too: nothing is signed with it any more.
    """
    email = current.email
    url = current.webhook_url
    if "email" in changes:
        raw_email = changes["email"]
        email = parse_email(raw_email) if raw_email else None
    if "webhook_url" in changes:
        raw_url = changes["webhook_url"]
        url = (
            parse_webhook_url(
                raw_url, allow_loopback=allow_loopback, allow_private=allow_private
            ).url
            if raw_url
            else None
        )
    raw_secret = changes.get("webhook_secret")
    new_secret = parse_webhook_secret(raw_secret) if raw_secret else None
    clears_secret = "webhook_secret" in changes and not raw_secret
    keeps_old_secret = current.has_webhook_secret and not clears_secret
    if url is not None and new_secret is None and not keeps_old_secret:
        raise WebhookSecretRequired(
            "a webhook URL needs a secret to sign its calls", field="webhook_secret"
        )
    drop_secret = url is None or (clears_secret and new_secret is None)
    return ContactChange(
        email=email,
        webhook_url=url,
        new_secret=None if url is None else new_secret,
        drop_secret=drop_secret,
    )
