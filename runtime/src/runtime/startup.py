"""Start-up waits: a process started before PostgreSQL or Kafka answers waits for them,
retrying with capped, jittered backoff (stamina), instead of dying.

Only the infrastructure's faults are waited out (`runtime.failures.classify`: connection
refused, "the database system is starting up", broker unreachable); anything else (a wrong
password, a broken migration) fails at once. The wait is bounded by
`RIGHTS_STARTUP_WAIT_SECONDS`, its backoff capped at `RIGHTS_STARTUP_RETRY_MAX_SECONDS`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import stamina

from runtime.failures import Fault, classify
from runtime.settings import PlatformSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

# The first retry comes this soon: a dependency starting beside us is often seconds away.
FIRST_RETRY_SECONDS = 0.1


async def wait_for(
    dependency: str, step: Callable[[], Awaitable[T]], settings: PlatformSettings
) -> T:
    """Runs `step` (which reaches `dependency`: "database", "kafka") until it succeeds, or
    fails for a reason other than the infrastructure, or the start-up wait is over."""

    def unreachable(exc: Exception) -> bool:
        if classify(exc) is not Fault.INFRASTRUCTURE:
            return False
        log.warning(
            "%s not reachable yet (%s); waiting", dependency, type(exc).__name__,
            extra={"dependency": dependency},
        )
        return True

    async for attempt in stamina.retry_context(
        on=unreachable,
        attempts=None,
        timeout=settings.rights_startup_wait_seconds,
        wait_initial=FIRST_RETRY_SECONDS,
        wait_max=settings.rights_startup_retry_max_seconds,
    ):
        with attempt:
            return await step()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover
