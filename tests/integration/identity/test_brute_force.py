"""Brute-force protection: after the realm's failure factor of wrong passwords the account is
locked, and even the right password is refused until the lock is lifted."""

from __future__ import annotations

import pytest

from .conftest import User
from .keycloak import Admin, SignInRefused, authorization_code, pkce_pair, sign_in


def test_account_locks_after_the_failure_factor_of_wrong_passwords(
    admin: Admin, user: User
) -> None:
    factor = admin.realm()["failureFactor"]
    assert admin.realm()["bruteForceProtected"] is True
    _, challenge = pkce_pair()
    for attempt in range(factor):
        with pytest.raises(SignInRefused) as refused:
            authorization_code(
                user.username, f"wrong-{attempt}-{user.password}", challenge=challenge
            )
        if attempt == 0:
            assert 'id="input-error-password"' in refused.value.page
    status = admin.brute_force_status(user.id)
    assert status["disabled"] is True
    assert status["numFailures"] >= 1
    # The right password no longer opens the account.
    with pytest.raises(SignInRefused):
        authorization_code(user.username, user.password, challenge=challenge)
    # Lifting the lock (an administrator, or the wait running out) lets it in again: the lock,
    # not the password, refused the sign-in above.
    admin.http.delete(f"/attack-detection/brute-force/users/{user.id}").raise_for_status()
    assert sign_in(user.username, user.password).access_token
