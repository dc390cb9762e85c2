"""The web app's tokens against the real identity provider (Keycloak, realm `rights`): a
session's access token about to expire is refreshed through Authlib and the spent refresh
token replaced; a refused refresh signs out; sign-out ends the realm's session; signed-out
pages read with the reader client's token, which acts for no party (WEB.md, "Signing in")."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from devstack.identity import Identities, TokenRefused, refresh, sign_in
from runtime.identity import IdentitySettings, IdentityVerifier
from starlette.requests import Request
from web.session import SESSION_TOKENS, ReaderToken, SignIn
from web.settings import WebSettings

pytestmark = pytest.mark.asyncio(loop_scope="session")


def request_with(session: dict[str, Any]) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                    "session": session})


@pytest.fixture
def signing_in() -> SignIn:
    # The realm's `rights-web` client, which devstack's sign-in (the login form, as a browser
    # fills it) gets its tokens from: a refresh must name the client the tokens were issued to.
    return SignIn(WebSettings(client_id="rights-web"), IdentitySettings().issuer)


async def test_two_pages_racing_share_one_refresh_and_a_spent_refresh_token_signs_out(
    identities: Identities, signing_in: SignIn,
) -> None:
    account = await asyncio.to_thread(identities.create_account, first_name="Web Refresh")
    first = await asyncio.to_thread(sign_in, account.username, account.password)
    due = int(time.time())  # within the refresh margin

    def expiring() -> dict[str, Any]:
        return {SESSION_TOKENS: {"access_token": first.access_token,
                                 "refresh_token": first.refresh_token, "expires_at": due}}

    # Two pages of one session at once: the realm spends a refresh token on its first use,
    # so had both sent it, one would have been refused and signed out.
    one, two = expiring(), expiring()
    tokens = await asyncio.gather(signing_in.access_token(request_with(one)),
                                  signing_in.access_token(request_with(two)))

    assert tokens[0] is not None and tokens[0] != first.access_token
    assert tokens[1] == tokens[0]
    assert one == two
    kept = one[SESSION_TOKENS]
    assert kept["access_token"] == tokens[0] and kept["expires_at"] > due
    assert kept["refresh_token"] != first.refresh_token
    # Another process (which shares nothing with this one) still holding the spent refresh
    # token: the realm refuses it, so that page's session is signed out rather than failing.
    elsewhere = SignIn(WebSettings(client_id="rights-web"), IdentitySettings().issuer)
    stale = expiring()
    assert await elsewhere.access_token(request_with(stale)) is None
    assert SESSION_TOKENS not in stale


async def test_sign_out_ends_the_realms_session(
    identities: Identities, signing_in: SignIn,
) -> None:
    account = await asyncio.to_thread(identities.create_account, first_name="Web Sign-out")
    tokens = await asyncio.to_thread(sign_in, account.username, account.password)
    session: dict[str, Any] = {SESSION_TOKENS: {
        "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
        "expires_at": int(time.time()) + 300}}

    answer = await signing_in.end(request_with(session), back_to="http://127.0.0.1:8000/")

    assert answer.status_code == 303 and answer.headers["location"] == "http://127.0.0.1:8000/"
    assert session == {}
    with pytest.raises(TokenRefused):
        await asyncio.to_thread(refresh, tokens.refresh_token)


async def test_signed_out_pages_read_with_a_token_that_acts_for_no_party(
    signing_in: SignIn,
) -> None:
    reader = ReaderToken(WebSettings(), signing_in)
    token = await reader.token()
    caller = await IdentityVerifier(IdentitySettings()).verify_async(token)
    assert caller.party_id is None
    assert await reader.token() == token  # cached until it is about to expire
