"""Waiting on an effect elsewhere (a consumer, a mail, a webhook): poll with a deadline.

For tests and tools only: the platform itself waits on events (NOTIFY, consumer progress).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 20.0, *, what: str = "",
    interval: float = 0.05,
) -> Any:
    """Re-runs `check` until it returns something truthy (and returns that), or fails with an
    AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not met within {timeout}s: {what or check}")
        await asyncio.sleep(interval)
