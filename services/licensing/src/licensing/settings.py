"""The licensing service's settings: `LICENSING_*` environment variables, local defaults."""

from __future__ import annotations

from contracts.topics import LICENSING_GROUP
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
