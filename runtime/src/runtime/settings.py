"""Settings shared by every process, read from environment variables with local defaults.

Platform-wide variables have no prefix (`KAFKA_BOOTSTRAP_SERVERS`, `RIGHTS_TOPIC_PREFIX`, ...);
a service's own ones carry its prefix (`FILING_DATABASE_URL`, `FILING_PORT`, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.kafka_security import client_security

# The workspace root, for local defaults (state dir, keys). Services are installed editable
# from the checkout, so this resolves to it; deployments set RIGHTS_STATE_DIR.
WORKSPACE_ROOT = Path(__file__).resolve().parents[3]


class PlatformSettings(BaseSettings):
    """What every process of the platform shares."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    rights_state_dir: Path = Field(default=WORKSPACE_ROOT / ".state")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Prepended to every topic name: lets test runs and benchmarks use their own topics on a
    # shared broker. Empty in production.
    rights_topic_prefix: str = ""
    # How clients reach Kafka (KAFKA.md): SCRAM-SHA-512 over SASL_PLAINTEXT, or SASL_SSL with
    # the broker's CA in `kafka_ssl_cafile`; PLAINTEXT only for a broker without SASL.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "SASL_PLAINTEXT"
    kafka_ssl_cafile: Path | None = None
    # One SCRAM password per principal; the defaults only suit a broker on this machine.
    kafka_admin_password: SecretStr = SecretStr("admin-local-password")
    kafka_filing_password: SecretStr = SecretStr("filing-local-password")
    kafka_licensing_password: SecretStr = SecretStr("licensing-local-password")
    kafka_notifications_password: SecretStr = SecretStr("notifications-local-password")
    kafka_gateway_password: SecretStr = SecretStr("gateway-local-password")
    kafka_demo_society_password: SecretStr = SecretStr("demo-society-local-password")
    # Every topic the platform creates (runtime.kafka.ensure_topics, infra/kafka_topics.py)
    # gets these: 1/1 suit the single local broker; a cluster of three uses 3/2, so an
    # `acks=all` write survives one broker down and is refused rather than kept on one copy.
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_min_insync_replicas: int = Field(default=1, ge=1)
    # A process started before PostgreSQL or Kafka answers waits this long for them
    # (runtime.startup), retrying with backoff capped at the second value.
    rights_startup_wait_seconds: float = Field(default=120.0, gt=0)
    rights_startup_retry_max_seconds: float = Field(default=5.0, gt=0)
    rights_environment: str = "local"
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("kafka_min_insync_replicas")
    @classmethod
    def _isr_within_replicas(cls, value: int, info: ValidationInfo) -> int:
        # More in-sync replicas than copies would refuse every `acks=all` write. A field's
        # validator: its error shows this value alone, never the other settings (passwords).
        replicas = info.data.get("kafka_replication_factor")
        if replicas is not None and value > replicas:
            raise ValueError(
                f"KAFKA_MIN_INSYNC_REPLICAS ({value}) exceeds KAFKA_REPLICATION_FACTOR "
                f"({replicas})"
            )
        return value

    def topic(self, name: str) -> str:
        return self.rights_topic_prefix + name

    @property
    def production(self) -> bool:
        return self.rights_environment == "production"


class ServiceSettings(BaseSettings):
    """A service's own settings; subclasses set the env prefix and defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    database_pool_size: int = 10
    # No ping per command: a pooled connection idle longer than this is pinged before use,
    # one older than the recycle age is replaced (runtime.db).
    database_idle_ping_seconds: float = 2.0
    database_recycle_seconds: float = 1800.0
    host: str = "127.0.0.1"
    port: int = 8000
    # An idle client connection is closed after this long. The gateway's pool forgets idle
    # connections sooner (GATEWAY_BACKEND_KEEPALIVE_SECONDS, 10): with equal limits a request
    # could leave on a connection the service was closing, and fail.
    http_keep_alive_seconds: int = 30
    # Bounded retries before a record goes to the dead-letter topic.
    consumer_max_attempts: int = 5
    consumer_batch_size: int = 500
    # The consumer's fetch waits this long for records before it looks again (it returns as
    # soon as any arrive: this bounds only how often an idle consumer wakes).
    consumer_fetch_wait_ms: int = 500
    # /ready reports a consumer stalled when records wait but nothing was applied for this long.
    consumer_stall_seconds: float = 30.0
    # A consumer stalled (above) for twice that long is closed and a new one joins its group.
    consumer_restart_on_stall: bool = True
    # Database/broker outages: the same batch is retried with capped exponential backoff;
    # after this long without success it is rewound to the broker (and fetched again), so a
    # long outage never exceeds Kafka's max.poll.interval.ms (300 s).
    consumer_retry_base_seconds: float = 0.1
    consumer_retry_max_seconds: float = 5.0
    consumer_retry_window_seconds: float = 120.0
    # processed_event rows older than this are pruned. It must stay well beyond the topics'
    # retention (Kafka keeps 7 days here): only a record older than that could come again.
    consumer_processed_retention_days: float = 30.0
    consumer_prune_interval_seconds: float = 3600.0
    consumer_prune_batch_size: int = 5000
    outbox_retention_days: float = 7.0
    outbox_prune_batch_size: int = 5000
    outbox_poll_interval_seconds: float = 1.0
    outbox_batch_size: int = 500
    # Rows one relay round publishes (fetched outbox_batch_size at a time) before it awaits the
    # broker's acknowledgements, marks them sent and commits.
    outbox_round_rows: int = 5000
    # Idempotency keys (runtime.idempotency) are kept at least this long after first use, then
    # pruned in batches every interval.
    idempotency_retention_hours: float = 24.0
    idempotency_prune_interval_seconds: float = 600.0
    idempotency_prune_batch_size: int = 5000
    # The Kafka principal this service logs in as; empty means its service name.
    kafka_principal: str = ""
    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        return value

    def topic(self, name: str) -> str:
        return self.platform.topic(name)

    @property
    def kafka_user(self) -> str:
        return self.kafka_principal or self.service_name

    def kafka_security(self) -> dict[str, Any]:
        """aiokafka keyword arguments that log this service in to Kafka."""
        return client_security(self.platform, self.kafka_user)


def service_settings_config(prefix: str) -> SettingsConfigDict:
    """The settings config of a service whose variables start with `prefix` (e.g. `FILING_`)."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore")
