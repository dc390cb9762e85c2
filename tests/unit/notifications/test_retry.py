"""The retry schedule: exponential backoff with jitter, bounded number of tries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contracts.errors import InvalidInput
from hypothesis import given
from hypothesis import strategies as st
from notifications.domain.retry import NextStep, RetryPolicy, Verdict, next_step, redelivers
from notifications.settings import NotificationsSettings


def test_backoff_ceiling_doubles_each_attempt() -> None:
    policy = RetryPolicy(max_attempts=5, base_seconds=1, cap_seconds=1000)
    assert [policy.ceiling(n) for n in range(1, 5)] == [1, 2, 4, 8]


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=50, base_seconds=1, cap_seconds=30)
    assert policy.ceiling(40) == 30


def test_jitter_keeps_delay_between_half_and_full_ceiling() -> None:
    policy = RetryPolicy(base_seconds=4)
    assert policy.delay_after(2, rand=lambda: 0.0) == timedelta(seconds=4)
    assert policy.delay_after(2, rand=lambda: 0.999) < timedelta(seconds=8)
    assert policy.delay_after(2, rand=lambda: 0.5) == timedelta(seconds=6)


@given(attempt=st.integers(min_value=1, max_value=200), r=st.floats(min_value=0, max_value=0.9999))
def test_delay_never_exceeds_cap(attempt: int, r: float) -> None:
    policy = RetryPolicy(max_attempts=300, base_seconds=2, cap_seconds=600)
    delay = policy.delay_after(attempt, rand=lambda: r)
    assert timedelta(0) <= delay <= timedelta(seconds=600)


def test_gives_up_after_last_allowed_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert not policy.gives_up_after(2)
    assert policy.gives_up_after(3)


def test_policy_needs_at_least_one_attempt() -> None:
    with pytest.raises(InvalidInput):
        RetryPolicy(max_attempts=0)


def test_attempts_are_numbered_from_one() -> None:
    with pytest.raises(InvalidInput):
        RetryPolicy().ceiling(0)


def test_success_ends_the_delivery() -> None:
    assert next_step(RetryPolicy(max_attempts=3), 1, delivered=True).verdict is Verdict.DELIVERED


def test_failure_before_the_last_try_waits_then_retries() -> None:
    step = next_step(
        RetryPolicy(max_attempts=3, base_seconds=1), 2, delivered=False, rand=lambda: 0
    )
    assert step == NextStep(Verdict.RETRY, timedelta(seconds=1))


def test_failure_of_the_last_try_gives_up_as_failed() -> None:
    assert next_step(RetryPolicy(max_attempts=3), 3, delivered=False).verdict is Verdict.FAILED


def test_permanent_failure_gives_up_at_once() -> None:
    step = next_step(RetryPolicy(max_attempts=3), 1, delivered=False, permanent=True)
    assert step == NextStep(Verdict.FAILED)


def test_default_schedule_keeps_retrying_for_at_least_a_day() -> None:
    # Issue 15: a receiver down for a day still gets its calls, even when every jittered
    # wait comes out at its shortest.
    assert RetryPolicy().shortest_span() >= timedelta(hours=24)
    assert NotificationsSettings().retry_policy.shortest_span() >= timedelta(hours=24)


def test_default_schedule_span_is_the_sum_of_its_shortest_waits() -> None:
    policy = RetryPolicy()
    waits = [policy.delay_after(n, rand=lambda: 0.0) for n in range(1, policy.max_attempts)]
    assert sum(waits, timedelta(0)) == policy.shortest_span()
    assert policy.max_attempts <= 20  # a day of retries, not a flood


def test_only_a_failed_delivery_is_put_back_by_a_redelivery() -> None:
    assert redelivers("FAILED")
    assert not redelivers("PENDING")
    assert not redelivers("DELIVERED")
