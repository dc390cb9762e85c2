"""Fixtures for the identity provider's tests: the admin API, a fresh user, the verifier.

They need the Keycloak that `make infra-up` (or `make idp-up`) starts; without it they fail
and say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from runtime.identity import IdentitySettings, IdentityVerifier

from .keycloak import ISSUER, MANAGEMENT_URL, Admin, Identities


@pytest.fixture(scope="session")
def admin() -> Iterator[Admin]:
    try:
        ready = httpx.get(f"{MANAGEMENT_URL}/health/ready", timeout=10)
    except httpx.HTTPError as exc:
        pytest.fail(f"Keycloak is not running ({exc}); start it with `make idp-up`")
    assert ready.status_code == 200, ready.text
    api = Admin()
    yield api
    api.close()


@pytest.fixture(scope="session")
def people(admin: Admin) -> Iterator[Identities]:
    """Accounts made by these tests, named `test-idp-<run>-…` and deleted at the end."""
    made = Identities(f"test-idp-{uuid.uuid4().hex[:8]}", admin)
    yield made
    made.delete_created()
    made.close()


@pytest.fixture(scope="session")
def verifier() -> IdentityVerifier:
    return IdentityVerifier(IdentitySettings(issuer=ISSUER))


@dataclass
class User:
    id: str
    username: str
    password: str
    party_id: str


@pytest.fixture
def user(admin: Admin, people: Identities) -> Iterator[User]:
    party_id = str(uuid.uuid4())
    account = people.create_account(party_id=party_id)
    yield User(account.id, account.username, account.password, party_id)
    admin.delete_user(account.id)
