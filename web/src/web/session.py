"""Signing in and the session: Authlib's OpenID Connect client (authorization code with PKCE,
state and nonce, the ID token checked against the realm's keys) at the realm's public client,
and the tokens kept in Starlette's signed session cookie (WEB.md, "Signing in")."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any, TypedDict

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.settings import WebSettings

log = logging.getLogger("web")
SESSION_TOKENS = "tokens"
SESSION_NEXT = "next"


class Tokens(TypedDict):
    """What the session cookie holds. Not the ID token: with it the cookie would pass the
    4 KB browsers keep (Keycloak's three tokens are ~3.5 KB before base64)."""

    access_token: str
    refresh_token: str
    expires_at: int


def needs_refresh(tokens: Tokens, *, now: float, margin_seconds: int) -> bool:
    """An access token with less than the margin left is refreshed before it is sent."""
    return tokens["expires_at"] - margin_seconds <= now


def safe_next(path: str | None) -> str:
    """Where to go back to: a path of this site only, never another host (`//host`, `/\\host`)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/"
    return path


def kept(token: dict[str, Any]) -> Tokens:
    """What the session keeps of the token endpoint's answer."""
    expires_at = token.get("expires_at") or int(time.time()) + int(token.get("expires_in", 0))
    return Tokens(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        expires_at=int(expires_at),
    )


class Refreshes:
    """One refresh per refresh token at a time, in this process (WEB.md, "Signing in").

    The realm spends a refresh token on use (`revokeRefreshToken`): two pages of one session
    whose access token expired at once would both send the same refresh token, and the second
    would be refused and signed out. So the first page refreshes while the others of that
    session wait on its lock, and they get the answer it got (kept `reuse_seconds`, keyed by
    a digest of the spent token, which is never kept itself)."""

    def __init__(self, reuse_seconds: float) -> None:
        self.reuse_seconds = reuse_seconds
        self.locks: dict[str, asyncio.Lock] = {}
        self.answers: dict[str, tuple[float, Tokens | None]] = {}

    async def once(self, refresh_token: str, fetch: Any) -> Tokens | None:
        """`fetch()`'s tokens (None: refused), fetched once for every caller that holds
        `refresh_token` within `reuse_seconds`."""
        key = hashlib.sha256(refresh_token.encode()).hexdigest()
        lock = self.locks.setdefault(key, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            self.forget(now)
            if key in self.answers:
                return self.answers[key][1]
            answer: Tokens | None = await fetch()
            self.answers[key] = (now + self.reuse_seconds, answer)
            return answer

    def forget(self, now: float) -> None:
        for key, (until, _) in list(self.answers.items()):
            if until <= now:
                del self.answers[key]
                lock = self.locks.get(key)
                if lock is not None and not lock.locked():
                    del self.locks[key]


class SignIn:
    """The realm's `WEB_CLIENT_ID` client, discovered from the issuer's metadata."""

    def __init__(self, settings: WebSettings, issuer: str, *, leeway_seconds: float = 0) -> None:
        self.settings = settings
        # The ID token's times are checked with the platform's tolerated clock skew
        # (IDENTITY_LEEWAY_SECONDS), and at least Authlib's own two minutes.
        self.leeway = max(120, int(leeway_seconds))
        self.refreshes = Refreshes(settings.token_refresh_reuse_seconds)
        self.oauth = OAuth()
        self.client: Any = self.oauth.register(
            "identity",
            client_id=settings.client_id,
            server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid",
                "code_challenge_method": "S256",
                # a public client: no secret, PKCE proves the code's requester
                "token_endpoint_auth_method": "none",
                "timeout": settings.timeout_seconds,
            },
        )

    def redirect_uri(self, request: Request) -> str:
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/") + "/signed-in"
        return str(request.url_for("signed_in"))

    async def start(self, request: Request, *, language: str, next_path: str,
                    sign_up: bool = False) -> Response:
        """To the provider's sign-in page, or its sign-up page (`prompt=create`, OpenID
        Connect's "Initiating User Registration"), in the page's language: `ui_locales` is
        the standard's hint, `kc_locale` Keycloak's own (it wins over the provider's language
        cookie from an earlier visit)."""
        request.session[SESSION_NEXT] = safe_next(next_path)
        extra = {"prompt": "create"} if sign_up else {}
        answer: Response = await self.client.authorize_redirect(
            request, self.redirect_uri(request), ui_locales=language, kc_locale=language,
            **extra,
        )
        return answer

    async def finish(self, request: Request) -> str:
        """Checks the redirect back (state, PKCE, nonce) and keeps the tokens; returns where
        to go. Raises OAuthError when the provider or the check refuses."""
        token = await self.client.authorize_access_token(request, leeway=self.leeway)
        request.session[SESSION_TOKENS] = kept(token)
        return safe_next(request.session.pop(SESSION_NEXT, None))

    async def access_token(self, request: Request) -> str | None:
        """The session's access token, refreshed first when it is about to expire; None
        signed out (and a refused refresh signs out)."""
        tokens: Tokens | None = request.session.get(SESSION_TOKENS)
        if not tokens:
            return None
        margin = self.settings.token_refresh_margin_seconds
        if needs_refresh(tokens, now=time.time(), margin_seconds=margin):
            return await self.refresh(request)
        return tokens["access_token"]

    async def refresh(self, request: Request) -> str | None:
        """The session's tokens renewed now (also when a new claim must reach them: the party
        just registered), one refresh per session at a time; a refused refresh signs out."""
        tokens: Tokens | None = request.session.get(SESSION_TOKENS)
        if not tokens or not tokens["refresh_token"]:
            request.session.pop(SESSION_TOKENS, None)
            return None
        spent = tokens["refresh_token"]

        async def fetch() -> Tokens | None:
            try:
                fresh = await self.client.fetch_access_token(
                    grant_type="refresh_token", refresh_token=spent
                )
            except (OAuthError, httpx.HTTPError):
                return None
            return kept(fresh)

        new = await self.refreshes.once(spent, fetch)
        if new is None:
            request.session.pop(SESSION_TOKENS, None)
            return None
        request.session[SESSION_TOKENS] = new
        return new["access_token"]

    async def end(self, request: Request, *, back_to: str) -> Response:
        """Forgets the tokens and ends the realm's session: the refresh token posted to the
        provider's logout endpoint (Keycloak's back-channel logout: the session, its SSO
        cookie's included, ends at once, with no page to confirm), then back to the site."""
        tokens: Tokens | None = request.session.pop(SESSION_TOKENS, None)
        if tokens and tokens["refresh_token"]:
            metadata = await self.client.load_server_metadata()
            try:
                async with httpx.AsyncClient(timeout=self.settings.timeout_seconds) as http:
                    answer = await http.post(metadata["end_session_endpoint"], data={
                        "client_id": self.settings.client_id,
                        "refresh_token": tokens["refresh_token"],
                    })
                if answer.status_code >= 400:
                    log.info("the provider did not end the session: %s", answer.status_code)
            except httpx.HTTPError as exc:
                # The cookie is gone anyway; the realm's session ends with its idle timeout.
                log.warning("the provider could not be told of a sign-out: %r", exc)
        return RedirectResponse(back_to, status_code=303)


class ReaderToken:
    """The web app's own access token for visitors who are not signed in: the realm lets only
    authenticated callers read the register (DOMAIN.md, "Access"), so signed-out pages read
    it as the `WEB_READER_CLIENT_ID` machine client (client credentials, through Authlib),
    which acts for no party and sees exactly the public register. Cached until it is about
    to expire; one fetch at a time."""

    def __init__(self, settings: WebSettings, sign_in: SignIn) -> None:
        self.settings = settings
        self.sign_in = sign_in
        self.lock = asyncio.Lock()
        self.current: dict[str, Any] | None = None

    async def token(self) -> str:
        async with self.lock:
            margin = self.settings.token_refresh_margin_seconds
            if self.current is None or self.current["expires_at"] - margin <= time.time():
                metadata = await self.sign_in.client.load_server_metadata()
                async with AsyncOAuth2Client(
                    client_id=self.settings.reader_client_id,
                    client_secret=self.settings.reader_client_secret.get_secret_value(),
                    timeout=self.settings.timeout_seconds,
                ) as client:
                    answer = await client.fetch_token(
                        metadata["token_endpoint"], grant_type="client_credentials"
                    )
                self.current = {"access_token": answer["access_token"],
                                "expires_at": kept(answer)["expires_at"]}
            return str(self.current["access_token"])
