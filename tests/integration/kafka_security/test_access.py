"""The broker's door, tried from outside against the real broker: no anonymous client gets
in, a society credential reads the public topics and nothing more, and each service writes
only its own topics (KAFKA.md). The run's users, topics and ACLs come from the session's
`kafka_access_for_run` fixture, made by the same code as `make infra-up`."""

from __future__ import annotations

import asyncio
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from contracts.topics import (
    FILING_WORKS,
    LICENSING_GROUP,
    LICENSING_LICENCES,
    LICENSING_ROYALTIES,
    ROYALTY_STATEMENT_ISSUED,
    dlq,
)
from devstack.kafka_access import provision
from runtime.kafka_security import FILING, LICENSING, SOCIETY, client_security, password_of
from runtime.settings import PlatformSettings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def settings() -> PlatformSettings:
    """Topics, users and ACLs of their own: these tests write records that are not events,
    which the run's other consumers of the public topics must never read."""
    base = PlatformSettings()
    own = base.model_copy(
        update={"rights_topic_prefix": f"{base.rights_topic_prefix}acl-{uuid.uuid4().hex[:6]}."}
    )
    provision(own, own.rights_topic_prefix)
    return own


def login(settings: PlatformSettings, principal: str) -> dict[str, Any]:
    return {"bootstrap_servers": settings.kafka_bootstrap_servers} | client_security(
        settings, principal
    )


async def produce(options: dict[str, Any], topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(**options)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def read_one(options: dict[str, Any], topic: str, group: str, value: bytes) -> bool:
    consumer = AIOKafkaConsumer(
        topic, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False, **options
    )
    await consumer.start()
    try:
        for _ in range(60):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                if any(r.value == value for r in records):
                    return True
        return False
    finally:
        await consumer.stop()


async def test_a_client_without_credentials_is_refused(settings: PlatformSettings) -> None:
    anonymous = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=5000
    )
    with pytest.raises(KafkaConnectionError):
        await anonymous.start()
    await anonymous.close()
    wrong = login(settings, SOCIETY) | {"sasl_plain_password": "not-the-password"}
    impostor = AIOKafkaAdminClient(request_timeout_ms=5000, **wrong)
    with pytest.raises(KafkaConnectionError):
        await impostor.start()
    await impostor.close()
    # The same client with the society's real password does get in: the refusals were logins.
    member = AIOKafkaAdminClient(request_timeout_ms=5000, **login(settings, SOCIETY))
    await member.start()
    try:
        assert settings.topic(LICENSING_ROYALTIES) in await member.list_topics()
    finally:
        await member.close()


async def test_a_society_reads_public_topics_but_cannot_produce(settings: PlatformSettings) -> None:
    value = f"statement-{uuid.uuid4()}".encode()
    topic = settings.topic(LICENSING_ROYALTIES)
    await produce(login(settings, LICENSING), topic, value)
    group = settings.topic(f"{SOCIETY}.{uuid.uuid4().hex[:8]}")
    assert await read_one(login(settings, SOCIETY), topic, group, value)

    for target in (topic, settings.topic(FILING_WORKS)):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(login(settings, SOCIETY), target, b"forged")


async def test_a_society_cannot_join_a_service_group_nor_read_dead_letters(
    settings: PlatformSettings,
) -> None:
    joiner = AIOKafkaConsumer(
        settings.topic(FILING_WORKS),
        group_id=settings.topic(LICENSING_GROUP),
        **login(settings, SOCIETY),
    )
    with pytest.raises(GroupAuthorizationFailedError):
        await joiner.start()
    await joiner.stop()

    reader = AIOKafkaAdminClient(**login(settings, SOCIETY))
    await reader.start()
    try:
        visible = set(await reader.list_topics())
    finally:
        await reader.close()
    assert settings.topic(LICENSING_LICENCES) in visible
    assert settings.topic(dlq(LICENSING_GROUP)) not in visible  # not even its name


async def test_a_service_cannot_write_another_services_topic(settings: PlatformSettings) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(login(settings, LICENSING), settings.topic(FILING_WORKS), b"forged")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(login(settings, FILING), settings.topic(LICENSING_LICENCES), b"forged")
    # ...while each writes its own.
    await produce(login(settings, FILING), settings.topic(FILING_WORKS), b"{}")


async def test_the_readme_kcat_example_reads_as_the_society(settings: PlatformSettings) -> None:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"`(kcat -b [^`]+)`", readme.replace("\n", " "))
    assert found, "README.md lost its kcat example"
    args = [a.strip("'") for a in found.group(1).split()[1:]]
    assert f"sasl.username={SOCIETY}" in args  # the example uses the society credential
    at = {flag: args.index(flag) + 1 for flag in ("-t", "-b")}
    topic = settings.topic(args[at["-t"]])
    args[at["-t"]], args[at["-b"]] = topic, settings.kafka_bootstrap_servers
    args = [
        f"sasl.password={password_of(settings, SOCIETY)}" if a.startswith("sasl.password=") else a
        for a in args
    ]
    value = f"statement-{uuid.uuid4()}".encode()
    producer = AIOKafkaProducer(**login(settings, LICENSING))
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, key=b"k", headers=[("ce_type", ROYALTY_STATEMENT_ISSUED.encode())]
        )
    finally:
        await producer.stop()

    def kcat(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / "infra/kcat.sh"), *argv],
            capture_output=True, text=True, timeout=60, check=False,
        )

    read = await asyncio.to_thread(kcat, *args, "-e", "-o", "beginning")
    assert read.returncode == 0, read.stderr
    assert value.decode() in read.stdout
    assert f"ce_type={ROYALTY_STATEMENT_ISSUED}" in read.stdout
    anonymous = await asyncio.to_thread(
        kcat, "-b", settings.kafka_bootstrap_servers, "-L", "-m", "5"
    )
    assert anonymous.returncode != 0
