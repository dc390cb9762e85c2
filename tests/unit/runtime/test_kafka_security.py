"""Every Kafka client's login comes from one function: SCRAM-SHA-512, TLS only when set."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from devstack.kafka_tls import make
from pydantic import SecretStr
from runtime.kafka_security import (
    SOCIETY,
    broker_security,
    client_security,
    librdkafka_security,
)
from runtime.settings import PlatformSettings, ServiceSettings


def test_default_is_scram_over_sasl_plaintext_with_the_principals_own_password() -> None:
    settings = PlatformSettings(kafka_demo_society_password=SecretStr("s3cret"))
    login = client_security(settings, SOCIETY)
    assert login == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "demo-society",
        "sasl_plain_password": "s3cret",
        "ssl_context": None,
    }
    assert librdkafka_security(settings, SOCIETY)["sasl.password"] == "s3cret"


def test_a_service_logs_in_as_itself_unless_told_otherwise() -> None:
    assert ServiceSettings(service_name="filing").kafka_security()["sasl_plain_username"] == "filing"
    told = ServiceSettings(service_name="x", kafka_principal="admin").kafka_security()
    assert told["sasl_plain_username"] == "admin"


def test_an_unknown_principal_is_an_error_not_an_anonymous_login() -> None:
    with pytest.raises(ValueError, match="unknown Kafka principal 'skeleton'"):
        ServiceSettings(service_name="skeleton").kafka_security()


def test_sasl_ssl_verifies_the_broker_against_the_configured_ca(tmp_path: Path) -> None:
    make(tmp_path)
    settings = PlatformSettings(
        kafka_security_protocol="SASL_SSL", kafka_ssl_cafile=tmp_path / "ca.pem"
    )
    context = client_security(settings, SOCIETY)["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(context.get_ca_certs()) == 1
    security = broker_security(settings, SOCIETY)
    assert security is not None and security.use_ssl
    assert librdkafka_security(settings, SOCIETY)["ssl.ca.location"] == str(tmp_path / "ca.pem")


def test_plaintext_has_no_login_at_all() -> None:
    settings = PlatformSettings(kafka_security_protocol="PLAINTEXT")
    assert client_security(settings, SOCIETY) == {"security_protocol": "PLAINTEXT"}
    assert broker_security(settings, SOCIETY) is None
