"""TLS as a setting: a private broker started by infra/kafka.sh with
KAFKA_SECURITY_PROTOCOL=SASL_SSL serves SCRAM logins over TLS only, and the platform's own
client settings (the local CA kafka.sh made) verify it; a client that does not trust that CA
is refused. Private: its own ports and storage, so the shared broker is untouched."""

from __future__ import annotations

import os
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError
from devstack.platform import free_port
from runtime.kafka_security import ADMIN, client_security
from runtime.settings import PlatformSettings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformSettings]:
    state = tmp_path_factory.mktemp("kafka-tls")
    port = free_port()
    env = os.environ | {
        "RIGHTS_STATE_DIR": str(state),
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
        "KAFKA_HEAP": "256M",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
    }
    env.pop("KAFKA_SSL_CAFILE", None)

    def run(command: str) -> None:
        done = subprocess.run([str(ROOT / "infra/kafka.sh"), command], env=env,
                              capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, done.stdout + done.stderr

    run("up")
    try:
        yield PlatformSettings(
            rights_state_dir=state,
            kafka_bootstrap_servers=f"127.0.0.1:{port}",
            kafka_security_protocol="SASL_SSL",
        )
    finally:
        run("down")


async def test_clients_log_in_over_verified_tls(tls_broker: PlatformSettings) -> None:
    login = client_security(tls_broker, ADMIN)
    assert login["security_protocol"] == "SASL_SSL"
    admin = AIOKafkaAdminClient(bootstrap_servers=tls_broker.kafka_bootstrap_servers, **login)
    await admin.start()
    try:
        assert len((await admin.describe_cluster())["brokers"]) == 1
    finally:
        await admin.close()


async def test_a_client_that_does_not_trust_the_broker_is_refused(
    tls_broker: PlatformSettings,
) -> None:
    untrusting = client_security(tls_broker, ADMIN) | {"ssl_context": ssl.create_default_context()}
    admin = AIOKafkaAdminClient(
        bootstrap_servers=tls_broker.kafka_bootstrap_servers, request_timeout_ms=5000, **untrusting
    )
    with pytest.raises(KafkaConnectionError):
        await admin.start()
    await admin.close()
    cleartext = client_security(tls_broker.model_copy(
        update={"kafka_security_protocol": "SASL_PLAINTEXT"}), ADMIN)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=tls_broker.kafka_bootstrap_servers, request_timeout_ms=5000, **cleartext
    )
    with pytest.raises(KafkaConnectionError):
        await admin.start()
    await admin.close()
