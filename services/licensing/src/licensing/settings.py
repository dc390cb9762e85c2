"""The licensing service's settings: `LICENSING_*` environment variables, local defaults."""

from __future__ import annotations

from decimal import Decimal

from contracts.topics import LICENSING_GROUP
from pydantic import Field
from runtime.settings import ServiceSettings, service_settings_config


class LicensingSettings(ServiceSettings):
    model_config = service_settings_config("LICENSING_")

    service_name: str = "licensing"
    database_url: str = "postgresql+asyncpg://licensing:licensing@127.0.0.1:5432/licensing"
    port: int = 8002
    # The consumer group (and tracking name) of the register read model; its DLQ is
    # `<group>.dlq`. A rebuild into a fresh database replays the topics under a new group.
    register_group: str = LICENSING_GROUP
    # Read-your-writes: how long an offer waits for the register's events before it answers
    # "unknown work" (the consumer wakes it as soon as they are applied).
    read_model_wait_seconds: float = 5.0
    # How often the expiry job looks for ACTIVE licences past their end date.
    expiry_interval_seconds: float = 60.0
    # Usage lines (DOMAIN.md, "Usage lines and matching"): lines per chunk (one transaction
    # and one `usage.lines_matched` event each, so bounded to keep that record small).
    usage_chunk_lines: int = Field(default=1000, ge=1, le=2000)
    # The largest usage file accepted, in bytes (spooled to disk as it streams in).
    usage_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1)
    # Matching thresholds: at or above `auto` a fuzzy candidate is matched; from `review`
    # up it is queued as the line's candidate; below, the line is queued unmatched.
    match_auto: Decimal = Field(default=Decimal("0.85"), ge=0, le=1)
    match_review: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    # Co-owners' consent (DOMAIN.md): days an exclusive offer waits for the owners asked
    # before it lapses.
    owner_consent_days: int = Field(default=14, ge=1, le=365)
    # Trigram similarity (pg_trgm) a title must reach to be a candidate at all.
    match_trigram: float = Field(default=0.5, gt=0, le=1)
