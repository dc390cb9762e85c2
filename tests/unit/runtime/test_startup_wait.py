"""runtime.startup.wait_for: a dependency that is not up yet is waited for; any other error
fails at once, and the wait is bounded."""

from __future__ import annotations

import pytest
from runtime.settings import PlatformSettings
from runtime.startup import wait_for

QUICK = PlatformSettings(rights_startup_wait_seconds=5, rights_startup_retry_max_seconds=0.05)


async def test_an_unreachable_dependency_is_waited_for_until_it_answers() -> None:
    tries: list[int] = []

    async def connect() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise ConnectionRefusedError(111, "Connection refused")
        return "connected"

    assert await wait_for("database", connect, QUICK) == "connected"
    assert len(tries) == 3


async def test_an_error_that_is_not_the_infrastructures_fails_at_once() -> None:
    tries: list[int] = []

    async def migrate() -> None:
        tries.append(1)
        raise ValueError("a broken migration")

    with pytest.raises(ValueError, match="broken migration"):
        await wait_for("database", migrate, QUICK)
    assert len(tries) == 1


async def test_the_wait_ends_with_the_last_error_after_the_start_up_wait() -> None:
    brief = PlatformSettings(rights_startup_wait_seconds=0.3,
                             rights_startup_retry_max_seconds=0.05)

    async def never() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(ConnectionRefusedError):
        await wait_for("kafka", never, brief)
