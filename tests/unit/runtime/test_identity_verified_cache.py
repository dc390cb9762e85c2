"""`IdentityVerifier.verify_async` keeps a token it verified until the token expires, and
never a token it refused (a fixed key set stands in for the provider's JWKS)."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from runtime.auth import Unauthenticated
from runtime.identity import IdentitySettings, IdentityVerifier

SETTINGS = IdentitySettings(verified_cache_size=2)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEYS = jwt.PyJWKSet([{**json.loads(RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1",
                      "use": "sig", "alg": "RS256"}])


def token(subject: str, expires_in: int, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": SETTINGS.issuer, "aud": SETTINGS.audience, "typ": "Bearer", "sub": subject,
            "roles": ["party"], "iat": now, "exp": now + expires_in, **claims}
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": "k1"})


class Counting(IdentityVerifier):
    def __init__(self) -> None:
        super().__init__(SETTINGS, keys=KEYS)
        self.verified = 0

    def verify(self, token: str) -> Any:
        self.verified += 1
        return super().verify(token)


async def test_a_verified_token_is_checked_once_while_it_lasts() -> None:
    verifier = Counting()
    good = token("a", 300)
    assert (await verifier.verify_async(good)).subject == "a"
    assert (await verifier.verify_async(good)).subject == "a"
    assert verifier.verified == 1


async def test_a_kept_token_past_its_expiry_is_verified_again() -> None:
    verifier = Counting()
    short = token("b", 300)
    await verifier.verify_async(short)
    # As if its five minutes had passed: the kept claims' expiry is in the past.
    kept = verifier._verified[short]
    verifier._verified[short] = type(kept)(**{**kept.__dict__,
                                              "expires_at": kept.expires_at.replace(year=2000)})
    await verifier.verify_async(short)
    assert verifier.verified == 2


async def test_refused_tokens_are_never_kept_and_the_cache_is_bounded() -> None:
    verifier = Counting()
    forged = token("c", 300)[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await verifier.verify_async(forged)
    assert verifier.verified == 2
    for subject in ("d", "e", "f"):
        await verifier.verify_async(token(subject, 300))
    assert len(verifier._verified) == 2
