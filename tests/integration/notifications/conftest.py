"""Fixtures of the notifications integration suite: one shared running service, a real SMTP
server and tokens. Tests that need other settings start their own service (harness.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from notifications.smtp_server import LocalSmtpServer

from .harness import Service, running_service


@pytest.fixture(scope="session")
async def smtp() -> AsyncIterator[LocalSmtpServer]:
    async with LocalSmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
async def service(
    create_database: Callable[[str], Awaitable[str]], smtp: LocalSmtpServer
) -> AsyncIterator[Service]:
    async with running_service(create_database, "notifications_it", smtp_port=smtp.port) as running:
        yield running


@pytest.fixture
def auth(token_for: Callable[..., str]) -> Callable[..., dict[str, str]]:
    def headers(party_id: uuid.UUID | str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(party_id, *roles)}"}

    return headers
