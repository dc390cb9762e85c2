"""The rate limits' own rules, in memory: which bucket a request spends, what a refusal says,
how a mutation is told from a query, and that a malformed rate setting is refused by name."""

from __future__ import annotations

import pytest
from gateway.rate_limits import RateLimits, is_mutation
from gateway.settings import GatewaySettings
from pydantic import ValidationError


def limits(**overrides: str) -> RateLimits:
    settings = GatewaySettings(subscriptions_enabled=False, **overrides)  # type: ignore[arg-type]
    return RateLimits(settings)


@pytest.mark.parametrize(
    ("query", "operation", "expected"),
    [
        ("mutation { markNotificationsRead(ids: []) }", None, True),
        ("{ me { id } }", None, False),
        ("query A { me { id } } mutation B { markNotificationsRead(ids: []) }", "B", True),
        ("query A { me { id } } mutation B { markNotificationsRead(ids: []) }", "A", False),
        ("mutation { broken", None, False),
        ("mutation M { a } " + " " * 9000, None, True),  # past the cached length
    ],
)
def test_a_mutation_is_told_from_a_query_by_the_operation_run(
    query: str, operation: str | None, expected: bool
) -> None:
    assert is_mutation(query, operation, 2000) is expected


async def test_an_account_over_its_rate_is_refused_with_a_retry_time_and_others_are_not() -> None:
    rates = limits(rate_limit_per_account="2/minute", rate_limit_per_ip="100/minute")
    assert await rates.check("10.0.0.1", "alice", mutation=False) is None
    assert await rates.check("10.0.0.1", "alice", mutation=False) is None
    refusal = await rates.check("10.0.0.1", "alice", mutation=False)
    assert refusal is not None
    assert (refusal.status, refusal.code) == (429, "RATE_LIMITED")
    assert refusal.retry_after is not None and 1 <= refusal.retry_after <= 60
    assert "account" in refusal.message
    assert await rates.check("10.0.0.1", "bob", mutation=False) is None


async def test_mutations_spend_their_own_bucket_per_account_or_per_address() -> None:
    rates = limits(rate_limit_mutations="1/minute")
    assert await rates.check("10.0.0.1", "alice", mutation=True) is None
    refused = await rates.check("10.0.0.1", "alice", mutation=True)
    assert refused is not None and "mutations" in refused.message
    assert await rates.check("10.0.0.1", "alice", mutation=False) is None  # queries go on
    # Without a token, the address is the mutations' key: a second sign-up waits.
    assert await rates.check("10.0.0.2", None, mutation=True) is None
    assert await rates.check("10.0.0.2", None, mutation=True) is not None


def test_a_malformed_rate_setting_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="rate_limit_per_ip") as refused:
        GatewaySettings(rate_limit_per_ip="lots")
    assert "600/minute" in str(refused.value)
