"""The gateway's settings, read from `GATEWAY_*` environment variables with local defaults."""

from __future__ import annotations

import os
from pathlib import Path

from limits import parse as parse_rate
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from runtime.kafka_security import GATEWAY
from runtime.settings import PlatformSettings


def _graphiql_cache() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "rights-platform" / "graphiql"


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    # Each may list several instances of the service, comma-separated: called in turn.
    filing_url: str = "http://127.0.0.1:8001"
    licensing_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    backend_timeout_seconds: float = 10.0
    backend_max_connections: int = 100
    # Below the services' keep-alive (<SERVICE>_HTTP_KEEP_ALIVE_SECONDS, 30): a pooled
    # connection is dropped here before the service may close it under a request.
    backend_keepalive_seconds: float = 10.0
    # The gateway's own client at the identity provider (client credentials): it registers a
    # party for the signed-in account that asks (role `registrar`) and binds the account to it
    # (the realm's user admin API). The secret's default only suits the local realm.
    identity_client_id: str = "rights-gateway"
    identity_client_secret: SecretStr = SecretStr("local-gateway-secret")
    # Limits against expensive queries (OWASP API4).
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_page_size: int = 100
    max_ids_per_request: int = 500
    # Cost of one operation (gateway/cost.py, the table in schema/costs.py).
    max_query_cost: int = 50_000
    # Bytes of a request body, and of its variables alone (also over a WebSocket).
    max_body_bytes: int = 131_072
    max_variables_bytes: int = 65_536
    # A multipart upload (the bulk import's files, `importWorks`): its stated Content-Length
    # at most this; it is passed on streamed, never held here. The import may take minutes.
    max_upload_bytes: int = 1_073_741_824
    import_timeout_seconds: float = 3600.0
    # Moving-window rate limits (the `limits` library's notation) per account (token subject)
    # and per client address; mutations also count against their own, stricter bucket.
    rate_limit_per_account: str = "600/minute"
    rate_limit_per_ip: str = "1200/minute"
    rate_limit_mutations: str = "120/minute"
    # `memory://` keeps counts in this process; several gateways share one storage by URI
    # (e.g. `redis://host:6379`, with the `limits[redis]` extra installed).
    rate_limit_storage_uri: str = "memory://"
    # Take the client address from X-Forwarded-For (its last entry: what our proxy saw). Only
    # behind a proxy that sets it: otherwise any client could pick its own address.
    trust_forwarded_for: bool = False
    max_subscriptions_per_account: int = 10
    # None means: follow the environment (on locally, off in production).
    introspection: bool | None = None
    graphiql: bool | None = None
    # Where `make graphiql` (gateway/ide/install.sh) puts the page's npm files; same default.
    graphiql_assets_dir: Path = Field(default_factory=_graphiql_cache)
    # Subscriptions: set False to run without Kafka (unit tests, a read-only deployment).
    subscriptions_enabled: bool = True
    # The Kafka principal the subscriptions' update feed logs in as (KAFKA.md).
    kafka_principal: str = GATEWAY
    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    @field_validator("rate_limit_per_account", "rate_limit_per_ip", "rate_limit_mutations")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            parse_rate(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate such as '600/minute'") from None
        return value

    @field_validator("filing_url", "licensing_url", "notifications_url")
    @classmethod
    def _service_urls(cls, value: str) -> str:
        if not [url for url in value.split(",") if url.strip()]:
            raise ValueError("at least one URL of the service is needed")
        return value

    def service_instances(self) -> dict[str, list[str]]:
        """Each service's instance URLs, as listed in its setting."""
        return {
            service: [url.strip() for url in setting.split(",") if url.strip()]
            for service, setting in (
                ("filing", self.filing_url),
                ("licensing", self.licensing_url),
                ("notifications", self.notifications_url),
            )
        }

    @property
    def introspection_on(self) -> bool:
        return (not self.platform.production) if self.introspection is None else self.introspection

    @property
    def graphiql_on(self) -> bool:
        return (not self.platform.production) if self.graphiql is None else self.graphiql
