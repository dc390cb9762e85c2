"""The notifications service's settings (`NOTIFICATIONS_*` variables, local defaults)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from runtime.settings import ServiceSettings, service_settings_config

from notifications.domain.retry import RetryPolicy


class NotificationsSettings(ServiceSettings):
    model_config = service_settings_config("NOTIFICATIONS_")

    service_name: str = "notifications"
    database_url: str = (
        "postgresql+asyncpg://notifications:notifications@127.0.0.1:5432/notifications"
    )
    port: int = 8003

    # Email over SMTP; the defaults reach `python -m notifications.smtp_server`.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "Rights Register <notifications@rights-register.example.org>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_use_tls: bool = False  # implicit TLS (port 465)
    # STARTTLS: True requires it, False never, None upgrades when the server offers it.
    smtp_start_tls: bool | None = None
    smtp_timeout_seconds: float = 10.0

    # The whole of one call (resolve, connect, send, read the answer) ends within this time.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Only this much of a receiver's answer is read; the rest is never downloaded.
    webhook_max_response_bytes: int = Field(default=65536, ge=0)
    # Loopback receivers are for local use and tests only; None means "allowed unless
    # RIGHTS_ENVIRONMENT=production".
    allow_loopback_webhooks: bool | None = None
    # Private, shared and other non-public addresses: None means "allowed unless
    # RIGHTS_ENVIRONMENT=production"; production refuses them whatever this says.
    allow_private_webhooks: bool | None = None

    # Each delivery is tried at most `retry_max_attempts` times, waiting about
    # base·2^(n-1) seconds (capped, jittered) after failed attempt n; the defaults span
    # more than 24 hours even with the shortest jitter (domain/retry.py).
    retry_max_attempts: int = Field(default=16, ge=1, le=50)
    retry_base_seconds: float = Field(default=30.0, ge=0)
    retry_cap_seconds: float = Field(default=28800.0, ge=0)

    delivery_poll_seconds: float = Field(default=0.5, gt=0)
    delivery_batch_size: int = Field(default=50, ge=1)
    # A claimed delivery not finished within this time (the worker died mid-send) is due again.
    delivery_lease_seconds: float = Field(default=60.0, gt=0)

    # Fernet key (urlsafe base64, 32 bytes) that encrypts stored webhook secrets; by default a
    # key generated once into the state dir.
    secret_key: str | None = None
    # Or a file that holds it, only ever read (a mounted Kubernetes or Docker secret is
    # read-only): it must exist. Unset: the state dir's key, generated on first start.
    secret_key_file: Path | None = None

    @property
    def loopback_webhooks_allowed(self) -> bool:
        if self.allow_loopback_webhooks is not None:
            return self.allow_loopback_webhooks
        return not self.platform.production

    @property
    def private_webhooks_allowed(self) -> bool:
        # Issue 14: in production a private address is the platform's own network.
        if self.platform.production:
            return False
        return True if self.allow_private_webhooks is None else self.allow_private_webhooks

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.retry_max_attempts,
            base_seconds=self.retry_base_seconds,
            cap_seconds=self.retry_cap_seconds,
        )

    @property
    def secret_key_path(self) -> Path:
        if self.secret_key_file is not None:
            return self.secret_key_file
        return self.platform.rights_state_dir / "keys" / "notifications-secrets.key"
