"""Fixtures of the several-instances tests: one service's instances as real processes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from .instances import Instances, running_instances

StartInstances = Callable[[str, str], Awaitable[Instances]]


@pytest.fixture
async def start_instances(
    create_database: Callable[[str], Awaitable[str]], topic_prefix: str, tmp_path: Path
) -> AsyncIterator[StartInstances]:
    """`await start_instances("licensing", "db_name")`: two instances of the service on a fresh
    database and topics of the test's own, healthy; all stopped after the test."""
    async with AsyncExitStack() as stack:

        async def start(service: str, database: str) -> Instances:
            prefix = f"{topic_prefix}{database}-{uuid.uuid4().hex[:6]}."
            url = await create_database(database)
            return await stack.enter_async_context(
                running_instances(service, url, prefix=prefix, log=tmp_path / f"{database}.log")
            )

        yield start
