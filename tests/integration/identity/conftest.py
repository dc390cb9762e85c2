"""Fixtures for the identity provider's tests: the admin API, a fresh user, the verifier.

They need the Keycloak that `make infra-up` (or `make idp-up`) starts; without it they fail
and say so.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from runtime.identity import IdentitySettings, IdentityVerifier

from .keycloak import ISSUER, MANAGEMENT_URL, Admin


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
def verifier() -> IdentityVerifier:
    return IdentityVerifier(IdentitySettings(issuer=ISSUER))


@dataclass
class User:
    id: str
    username: str
    password: str
    party_id: str


@pytest.fixture
def user(admin: Admin) -> Iterator[User]:
    password = secrets.token_urlsafe(18)
    party_id = str(uuid.uuid4())
    user_id, username = admin.create_user(password=password, party_id=party_id)
    yield User(user_id, username, password, party_id)
    admin.delete_user(user_id)
