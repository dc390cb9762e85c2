"""The operator CLI driven as an operator would, in-process (typer's runner) against the
real Kafka, PostgreSQL and Keycloak. The runner is called in a worker thread: each command
runs its own event loop, beside the test's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from click.testing import Result
from rights_ops.cli import app
from typer.testing import CliRunner

Rights = Callable[..., Awaitable[Result]]


@pytest.fixture
def rights() -> Rights:
    """`await rights("dead-letters", "list", env={...})` -> the command's result."""
    runner = CliRunner()

    async def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return await asyncio.to_thread(runner.invoke, app, list(args), env=env)

    return invoke
