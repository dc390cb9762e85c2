"""Fixtures every suite shares: a per-run topic prefix, fresh databases, tokens from the
identity provider (Keycloak).

Integration and e2e tests use the real Kafka broker and PostgreSQL that `make test` starts
(`make infra-up`); unit tests need neither.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

# One topic prefix per test run, set before any settings object is built, so this run's
# services, consumers and assertions see only this run's records on the shared broker.
RUN_ID = uuid.uuid4().hex[:8]
os.environ.setdefault("RIGHTS_TOPIC_PREFIX", f"test-{RUN_ID}.")
os.environ.setdefault("LOG_JSON", "false")
# Integration tests run services on topic prefixes and consumer groups of their own, which the
# per-principal ACLs (KAFKA.md) do not name: there the services log in as the Kafka admin.
# The ACLs themselves are proven by tests/integration/kafka_security and by the e2e suite,
# whose platform logs every process in as its own principal (tests/e2e/conftest.py).
for _service in ("FILING", "LICENSING", "NOTIFICATIONS", "GATEWAY"):
    os.environ.setdefault(f"{_service}_KAFKA_PRINCIPAL", "admin")

from devstack.identity import Identities  # noqa: E402
from devstack.scratch_databases import ScratchDatabases  # noqa: E402
from runtime.settings import PlatformSettings  # noqa: E402

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "rights_test")
PG_PASSWORD = os.environ.get("TEST_PG_PASSWORD", "rights_test")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for kind in ("unit", "integration", "e2e"):
            if kind in parts:
                item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session", autouse=True)
def kafka_access_for_run(request: pytest.FixtureRequest) -> Iterator[None]:
    """This run's topics, the SCRAM users and their ACLs on the broker (KAFKA.md), made as
    the Kafka admin once per run, so services of this run log in as themselves; at the end,
    every topic of this run's prefix is deleted again."""
    if all(item.get_closest_marker("unit") for item in request.session.items):
        yield  # unit tests reach no broker
        return
    from devstack.kafka_access import delete_topics, provision

    settings = PlatformSettings()
    provision(settings, settings.rights_topic_prefix)
    yield
    if settings.rights_topic_prefix.startswith(f"test-{RUN_ID}."):
        delete_topics(settings, settings.rights_topic_prefix)


@pytest.fixture(scope="session")
def platform_settings() -> PlatformSettings:
    return PlatformSettings()


@pytest.fixture(scope="session")
def topic_prefix(platform_settings: PlatformSettings) -> str:
    return platform_settings.rights_topic_prefix


@pytest.fixture(scope="session")
def kafka_bootstrap(platform_settings: PlatformSettings) -> str:
    return platform_settings.kafka_bootstrap_servers


@pytest.fixture(scope="session")
async def create_database() -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """`await create_database("filing_it")` -> the asyncpg URL of a new, empty database.

    The name gets a `test_` prefix and the run id; a database of an earlier run with the same
    name is dropped first. Databases are dropped again at the end of the session.
    """
    databases = ScratchDatabases(
        "test", RUN_ID, host=PG_HOST, port=PG_PORT, user=PG_USER, password=PG_PASSWORD
    )
    yield databases.create
    await databases.drop_all()


@pytest.fixture(scope="session")
def identities() -> Iterator[Identities]:
    """This run's identities at Keycloak (`test-<run>-…`), deleted when the session ends."""
    made = Identities(f"test-{RUN_ID}")
    yield made
    made.delete_created()
    made.close()


@pytest.fixture(scope="session")
def token_for(identities: Identities) -> Callable[..., str]:
    """`token_for(party_id, "examiner")` -> a Keycloak access token of a machine identity
    acting for that party with exactly those roles (`party` when none given)."""
    return identities.token_for
