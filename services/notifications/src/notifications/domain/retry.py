"""The retry schedule of webhook and email deliveries: exponential backoff with jitter, bounded.

Attempt n (1-based) that fails waits about `base · 2^(n-1)`, capped, before attempt n+1;
after `max_attempts` tries the delivery is given up as failed. "Equal jitter" (half fixed,
half random) keeps the exponential spacing while spreading retries of many deliveries that
failed together, so a recovering receiver is not hit by a synchronised wave.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from contracts.errors import InvalidInput


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how far apart a delivery is tried."""

    # 16 tries, 30 s doubling to at most 8 h: more than 24 h of retries even when every
    # jittered wait is the shortest (issue 15: a receiver down for a day still gets its calls).
    max_attempts: int = 16
    base_seconds: float = 30.0
    cap_seconds: float = 28800.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidInput("at least one attempt is needed", field="max_attempts")
        if self.base_seconds < 0 or self.cap_seconds < 0:
            raise InvalidInput("backoff times cannot be negative", field="base_seconds")

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt number `attempt` (1-based)."""
        if attempt < 1:
            raise InvalidInput("attempts are numbered from 1", field="attempt")
        # min() before the power would overflow for a large attempt number.
        exponent = min(attempt - 1, 62)
        return min(self.cap_seconds, self.base_seconds * float(2**exponent))

    def delay_after(self, attempt: int, *, rand: Callable[[], float] = random.random) -> timedelta:
        """How long to wait after failed attempt `attempt` before the next one.

        `rand` returns a float in [0, 1); inject a fixed one to make the schedule predictable.
        """
        ceiling = self.ceiling(attempt)
        half = ceiling / 2
        return timedelta(seconds=half + half * rand())

    def shortest_span(self) -> timedelta:
        """The least time between the first try and giving up: every wait at its shortest."""
        return timedelta(seconds=sum(self.ceiling(n) / 2 for n in range(1, self.max_attempts)))

    def gives_up_after(self, attempt: int) -> bool:
        """True when failed attempt `attempt` was the last one allowed."""
        return attempt >= self.max_attempts


def redelivers(status: str) -> bool:
    """Whether a manual redelivery puts the delivery back in the queue, due now.

    Only a FAILED delivery goes back; asking again while it is pending, or once it is
    delivered, changes nothing, so a repeated request never sends twice. The attempts keep
    counting (each try stays on record), so a redelivered delivery gets one more try.
    """
    return status == "FAILED"


class Verdict(StrEnum):
    DELIVERED = "DELIVERED"
    RETRY = "RETRY"
    FAILED = "FAILED"


@dataclass(frozen=True)
class NextStep:
    verdict: Verdict
    # How long until the next try (zero unless the verdict is RETRY).
    wait: timedelta = timedelta(0)


def next_step(
    policy: RetryPolicy,
    attempt: int,
    *,
    delivered: bool,
    permanent: bool = False,
    rand: Callable[[], float] = random.random,
) -> NextStep:
    """What follows try number `attempt`: done, another try after a wait, or give up.

    A permanent failure (the recipient refused, the URL is forbidden) gives up at once:
    retrying cannot change the answer.
    """
    if delivered:
        return NextStep(Verdict.DELIVERED)
    if permanent or policy.gives_up_after(attempt):
        return NextStep(Verdict.FAILED)
    return NextStep(Verdict.RETRY, policy.delay_after(attempt, rand=rand))
