"""How every Kafka client of the platform authenticates: SASL/SCRAM-SHA-512, TLS when set."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faststream.security import BaseSecurity

    from runtime.settings import PlatformSettings

SASL_MECHANISM = "SCRAM-SHA-512"

# The broker's principals (KAFKA.md): one per service, the gateway, one demo society, and the
# admin that creates topics, users and ACLs. A process authenticates as exactly one of them.
ADMIN = "admin"
FILING = "filing"
LICENSING = "licensing"
NOTIFICATIONS = "notifications"
GATEWAY = "gateway"
SOCIETY = "demo-society"
PRINCIPALS: tuple[str, ...] = (ADMIN, FILING, LICENSING, NOTIFICATIONS, GATEWAY, SOCIETY)

SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL")


def password_of(settings: PlatformSettings, principal: str) -> str:
    """The principal's SCRAM password from its `KAFKA_<PRINCIPAL>_PASSWORD` setting."""
    if principal not in PRINCIPALS:
        raise ValueError(f"unknown Kafka principal {principal!r} (one of {', '.join(PRINCIPALS)})")
    field = f"kafka_{principal.replace('-', '_')}_password"
    return str(getattr(settings, field).get_secret_value())


def ssl_context(settings: PlatformSettings) -> ssl.SSLContext | None:
    """A verifying TLS context when the protocol is SASL_SSL (the broker's CA from a file)."""
    if settings.kafka_security_protocol != "SASL_SSL":
        return None
    cafile = ca_file(settings)
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


def ca_file(settings: PlatformSettings) -> Path | None:
    """KAFKA_SSL_CAFILE; unset, the local CA that infra/kafka.sh made, if any (else the
    system's trusted CAs)."""
    if settings.kafka_ssl_cafile:
        return settings.kafka_ssl_cafile
    local = settings.rights_state_dir / "kafka-tls" / "ca.pem"
    return local if local.exists() else None


def client_security(settings: PlatformSettings, principal: str) -> dict[str, Any]:
    """aiokafka keyword arguments (producer, consumer, admin) that log in as `principal`."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {"security_protocol": "PLAINTEXT"}
    return {
        "security_protocol": protocol,
        "sasl_mechanism": SASL_MECHANISM,
        "sasl_plain_username": principal,
        "sasl_plain_password": password_of(settings, principal),
        "ssl_context": ssl_context(settings),
    }


def broker_security(settings: PlatformSettings, principal: str) -> BaseSecurity | None:
    """The same login as faststream's security object (it builds the aiokafka arguments)."""
    from faststream.security import SASLScram512

    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    context = ssl_context(settings)
    return SASLScram512(
        username=principal,
        password=password_of(settings, principal),
        ssl_context=context,
        use_ssl=context is not None,
    )


def librdkafka_security(settings: PlatformSettings, principal: str) -> dict[str, str]:
    """The same login as librdkafka configuration (confluent-kafka's admin client)."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {"security.protocol": "plaintext"}
    config = {
        "security.protocol": protocol.lower(),
        "sasl.mechanism": SASL_MECHANISM,
        "sasl.username": principal,
        "sasl.password": password_of(settings, principal),
    }
    cafile = ca_file(settings) if protocol == "SASL_SSL" else None
    if cafile:
        config["ssl.ca.location"] = str(cafile)
    return config
